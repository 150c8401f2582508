//! The client's measured figures, printed as Markdown (`cargo xtask bench` writes them into
//! BENCHMARKS.md): per-request overhead against hand-written reqwest + serde_json, listing
//! everything at several concurrencies against the ideal, token economy, and peak memory while
//! streaming a long list. Figures are ratios and counts from one run; run it on a quiet machine.
//!
//! ```sh
//! cargo bench -p crayon-tenants --bench figures
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crayon_tenants::types::{
    CustomerTenantCollection, CustomerTenantDetailed, NewCustomerTenantDetailed,
};
use crayon_tenants::{Client, Credentials, RetryPolicy};
use crayon_tenants_mock::{Fault, FaultRule, MockConfig, MockServer, Operation};
use futures::{StreamExt, TryStreamExt, future::join_all};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Counts the bytes allocated now and at most, to measure peak memory.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const CREATE: &str = include_str!("../tests/fixtures/create_customer_tenant.request.json");

fn demo() -> Credentials {
    Credentials::password(
        "demo-client",
        "demo-secret",
        "demo@example.com",
        "demo-password",
    )
}

fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// A loopback HTTP/1.1 server that answers every request with the same bytes, so that only the
/// client side is measured.
async fn fixed_server(body: Vec<u8>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let mut response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(&body);
    tokio::spawn(async move {
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            let response = response.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::with_capacity(16 * 1024);
                let mut chunk = [0u8; 16 * 1024];
                loop {
                    // Read one request: headers, then as many body bytes as Content-Length says.
                    let (head_end, length) = loop {
                        if let Some(end) =
                            buffer.windows(4).position(|window| window == b"\r\n\r\n")
                        {
                            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
                            let length = head
                                .lines()
                                .find_map(|line| line.strip_prefix("content-length:"))
                                .and_then(|value| value.trim().parse::<usize>().ok())
                                .unwrap_or(0);
                            break (end + 4, length);
                        }
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
                        }
                    };
                    while buffer.len() < head_end + length {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
                        }
                    }
                    buffer.drain(..head_end + length);
                    if stream.write_all(&response).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{address}")
}

/// Requests per second of `call`, the median of `rounds` rounds of `requests` each.
async fn throughput<F, Fut>(rounds: usize, requests: usize, mut call: F) -> Vec<f64>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut rates = Vec::new();
    for _ in 0..rounds {
        let started = Instant::now();
        for _ in 0..requests {
            call().await;
        }
        rates.push(requests as f64 / started.elapsed().as_secs_f64());
    }
    rates
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

async fn overhead() {
    println!("## 1. Per-request overhead\n");
    println!(
        "The client (its one call path: token, retries, pause, spans, typed errors) against a hand-written"
    );
    println!(
        "`reqwest` + `serde_json` call of the same request, both decoding into the same types, against"
    );
    println!(
        "one loopback server that answers fixed bytes. Median of 7 alternating rounds of 400 requests.\n"
    );
    println!(
        "| request | body | generated client (req/s) | hand-written (req/s) | ratio client / hand-written |"
    );
    println!("|---|---|---|---|---|");
    let mock = MockServer::start(MockConfig::default().seed_tenants(100))
        .await
        .unwrap();
    let page: Vec<_> = mock
        .state()
        .tenants()
        .into_iter()
        .filter(|t| t.organization_id == 1)
        .filter_map(|t| t.detailed.tenant)
        .collect();
    let list_body = serde_json::to_vec(&CustomerTenantCollection {
        total_hits: Some(100),
        items: Some(page),
    })
    .unwrap();
    let created_body = serde_json::to_vec(&mock.state().tenant(1).unwrap().detailed).unwrap();
    let create: NewCustomerTenantDetailed = serde_json::from_str(CREATE).unwrap();

    for (name, body, is_list) in [
        ("list a page of 100 tenants", list_body, true),
        ("create a tenant", created_body, false),
    ] {
        let size = body.len();
        let url = fixed_server(body).await;
        let client = Client::builder()
            .base_url(&url)
            .bearer_token("benchmark")
            .build()
            .unwrap();
        // The same HTTP stack settings as the generated client's defaults.
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .user_agent("hand-written/1")
            .build()
            .unwrap();
        let (mut generated, mut hand) = (Vec::new(), Vec::new());
        for _ in 0..7 {
            if is_list {
                generated.extend(
                    throughput(1, 400, || async {
                        let page = client
                            .list_customer_tenants()
                            .organization_id(1)
                            .page_size(100)
                            .await
                            .unwrap();
                        assert_eq!(page.items.as_ref().map(Vec::len), Some(100));
                    })
                    .await,
                );
                hand.extend(
                    throughput(1, 400, || async {
                        let response = http
                            .get(format!("{url}/api/v1/customertenants/"))
                            .query(&[("organizationId", "1"), ("pageSize", "100")])
                            .bearer_auth("benchmark")
                            .send()
                            .await
                            .unwrap()
                            .error_for_status()
                            .unwrap();
                        let page: CustomerTenantCollection =
                            serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
                        assert_eq!(page.items.as_ref().map(Vec::len), Some(100));
                    })
                    .await,
                );
            } else {
                generated.extend(
                    throughput(1, 400, || async {
                        let created = client
                            .create_customer_tenant()
                            .body(create.clone())
                            .await
                            .unwrap();
                        assert!(created.tenant.is_some());
                    })
                    .await,
                );
                hand.extend(
                    throughput(1, 400, || async {
                        let response = http
                            .post(format!("{url}/api/v1/customertenants/"))
                            .bearer_auth("benchmark")
                            .json(&create)
                            .send()
                            .await
                            .unwrap()
                            .error_for_status()
                            .unwrap();
                        let created: CustomerTenantDetailed =
                            serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
                        assert!(created.tenant.is_some());
                    })
                    .await,
                );
            }
        }
        let (generated, hand) = (median(generated), median(hand));
        println!(
            "| {name} | {} bytes | {generated:.0} | {hand:.0} | **{:.3}** |",
            size,
            generated / hand
        );
    }
    println!();
}

async fn listing() {
    const LATENCY_MS: u64 = 20;
    println!("## 2. Listing everything\n");
    println!(
        "10,000 tenants, page size 100 (100 pages), {LATENCY_MS} ms of latency added by the mock to every request;"
    );
    println!(
        "`list_customer_tenants().organization_id(1).paging().page_size(100).concurrency(c).stream()`. The ideal is one round"
    );
    println!("for page 1, then ceil(99 / c) rounds, each one latency long.\n");
    println!("| concurrency | wall time | ideal | wall / ideal | speed-up over page by page |");
    println!("|---|---|---|---|---|");
    // The same listing without added latency: what one page costs the client and the mock.
    let unloaded = MockServer::start(MockConfig::default().seed_tenants(10_000))
        .await
        .unwrap();
    let client = Client::builder()
        .base_url(unloaded.base_url())
        .credentials(demo())
        .build()
        .unwrap();
    let started = Instant::now();
    let count = client
        .list_customer_tenants()
        .organization_id(1)
        .paging()
        .page_size(100)
        .concurrency(1)
        .stream()
        .count()
        .await;
    assert_eq!(count, 10_000);
    let per_page = started.elapsed() / 101; // the token request and 100 pages
    let mock = MockServer::start(
        MockConfig::default()
            .seed_tenants(10_000)
            .latency(Duration::from_millis(LATENCY_MS)),
    )
    .await
    .unwrap();
    let client = Client::builder()
        .base_url(mock.base_url())
        .credentials(demo())
        .build()
        .unwrap();
    client.get_customer_tenant().id(1).await.unwrap(); // the token, fetched outside the timing
    let mut sequential = None;
    for concurrency in [1, 4, 8] {
        let started = Instant::now();
        let count = client
            .list_customer_tenants()
            .organization_id(1)
            .paging()
            .page_size(100)
            .concurrency(concurrency)
            .stream()
            .try_fold(0, |n, _| async move { Ok(n + 1) })
            .await
            .unwrap();
        let wall = started.elapsed();
        assert_eq!(count, 10_000);
        let rounds = 1 + 99_u64.div_ceil(concurrency as u64);
        let ideal = Duration::from_millis(LATENCY_MS * rounds);
        let sequential = *sequential.get_or_insert(wall);
        println!(
            "| {concurrency} | {} ms | {} ms | **{:.2}x** | **{:.2}x** |",
            wall.as_millis(),
            ideal.as_millis(),
            wall.as_secs_f64() / ideal.as_secs_f64(),
            sequential.as_secs_f64() / wall.as_secs_f64()
        );
    }
    // The verified listing: at least two whole reads, compared by their ids.
    let started = Instant::now();
    let verified = client
        .list_customer_tenants()
        .organization_id(1)
        .paging()
        .page_size(100)
        .concurrency(8)
        .verified()
        .await
        .unwrap();
    let wall = started.elapsed();
    assert_eq!(verified.len(), 10_000);
    let ideal = Duration::from_millis(LATENCY_MS * 2 * (1 + 99_u64.div_ceil(8)));
    println!(
        "| 8, `verified()` | {} ms | {} ms (two reads) | **{:.2}x** | |",
        wall.as_millis(),
        ideal.as_millis(),
        wall.as_secs_f64() / ideal.as_secs_f64(),
    );
    println!(
        "\n`verified()` reads the listing until two reads agree on the ids (`Paging::verified`): its ideal is"
    );
    println!("two plain reads; a listing that fits in one page is verified by its one answer.\n");
    println!(
        "Without added latency one page (request, mock, response, decoding 100 tenants) takes {:.2} ms",
        per_page.as_secs_f64() * 1000.0
    );
    println!(
        "here, which the ideal leaves out; the mock's latency is a timer, rounded up to the next millisecond.\n"
    );
}

async fn tokens() {
    println!("## 3. Token economy\n");
    println!("| scenario | calls | token requests |");
    println!("|---|---|---|");
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let client = Client::builder()
        .base_url(mock.base_url())
        .credentials(demo())
        .build()
        .unwrap();
    for _ in 0..10_000 {
        client.get_customer_tenant().id(1).await.unwrap();
    }
    println!(
        "| sequential calls within one token lifetime | 10000 | **{}** |",
        mock.requests(Operation::GetUserToken)
    );

    let mock = MockServer::start(MockConfig::default().token_ttl(Duration::from_secs(2)))
        .await
        .unwrap();
    let client = Client::builder()
        .base_url(mock.base_url())
        .credentials(demo())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    client.get_customer_tenant().id(1).await.unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await; // the token has expired
    mock.reset_requests();
    let results = join_all((0..64).map(|_| client.get_customer_tenant().id(1).into_future())).await;
    assert!(results.iter().all(Result::is_ok));
    println!(
        "| 64 concurrent calls after expiry | 64 | **{}** |\n",
        mock.requests(Operation::GetUserToken)
    );

    // A token endpoint that hangs: every waiting call should fail in about one timeout.
    const TIMEOUT: Duration = Duration::from_secs(1);
    const CALLS: usize = 16;
    let mock = MockServer::start(MockConfig::default().fault(FaultRule::new(
        Operation::GetUserToken,
        Fault::Latency(Duration::from_secs(60)),
    )))
    .await
    .unwrap();
    let client = Client::builder()
        .base_url(mock.base_url())
        .credentials(demo())
        .timeout(TIMEOUT)
        .build()
        .unwrap();
    let started = Instant::now();
    let latencies = join_all((0..CALLS).map(|_| {
        let client = client.clone();
        async move {
            let outcome = client.get_customer_tenant().id(1).await;
            assert!(outcome.is_err());
            started.elapsed()
        }
    }))
    .await;
    let slowest = latencies.into_iter().max().unwrap_or_default();
    println!(
        "| hung token endpoint, {CALLS} concurrent calls, {TIMEOUT:?} timeout | token requests | slowest call / timeout |"
    );
    println!("|---|---|---|");
    println!(
        "| | **{}** | **{:.2}x** |\n",
        mock.requests(Operation::GetUserToken),
        slowest.as_secs_f64() / TIMEOUT.as_secs_f64()
    );
}

async fn memory() {
    println!("## 4. Memory while streaming a long list\n");
    let mock = MockServer::start(MockConfig::default().seed_tenants(100_000))
        .await
        .unwrap();
    let client = Client::builder()
        .base_url(mock.base_url())
        .credentials(demo())
        .build()
        .unwrap();
    client.get_customer_tenant().id(1).await.unwrap();
    let baseline = CURRENT.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let (mut count, mut bytes) = (0usize, 0usize);
    let mut stream = client
        .list_customer_tenants()
        .organization_id(1)
        .paging()
        .page_size(100)
        .concurrency(4)
        .stream();
    while let Some(tenant) = stream.next().await {
        count += 1;
        bytes += serde_json::to_vec(&tenant.unwrap()).unwrap().len();
    }
    assert_eq!(count, 100_000);
    let peak = PEAK.load(Ordering::Relaxed) - baseline;
    println!(
        "Streaming all 100,000 tenants (page size 100, concurrency 4) from a mock in the same process,"
    );
    println!(
        "consuming each tenant as it arrives. Peak heap above the level before the stream started"
    );
    println!(
        "(client and mock together: pages in flight on both sides), against the size of the whole list:\n"
    );
    println!("| tenants | whole list as JSON | peak heap while streaming | peak / list |");
    println!("|---|---|---|---|");
    println!(
        "| {count} | {} | **{}** | **{:.3}** |\n",
        mib(bytes),
        mib(peak),
        peak as f64 / bytes as f64
    );
}

fn main() {
    // `cargo bench` passes `--bench`; this harness takes no options.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // `cargo bench --bench figures -- listing tokens` runs only the sections named.
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    let run = |name: &str| wanted.is_empty() || wanted.iter().any(|section| section == name);
    runtime.block_on(async {
        if run("overhead") {
            overhead().await;
        }
        if run("listing") {
            listing().await;
        }
        if run("tokens") {
            tokens().await;
        }
        if run("memory") {
            memory().await;
        }
    });
}
