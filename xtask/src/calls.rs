//! What codegen adds to progenitor's builders, so that it never falls behind the contract:
//! - `IntoFuture`: `client.get_customer_tenant().id(42).await` runs the call through the crate's
//!   call layer (`crates/crayon-tenants/src/call.rs`: token, retries, `crayon_tenants::Error`);
//! - `with_client`: the same request bound to another client, so that a stream of pages can own
//!   its client and keep the caller's builder, filters and all, as its template;
//! - for every list operation that pages (it takes `page` and `pageSize` and answers an object
//!   of `Items` and `TotalHits`): `into_stream()`, `paging()` and `crate::paging::ListRequest`,
//!   so that every listing streams the same way and none is kept by hand;
//! - for every integer query parameter the contract bounds (`page` >= 1, `pageSize` <= 1000):
//!   a check in its setter, so that a value out of bounds is refused before anything is sent
//!   (`Error::InvalidRequest`), and `MAX_PAGE_SIZE`, the largest `pageSize`;
//! - doc examples that await the builder (the call layer) rather than `.send()`, and a `send()`
//!   documented as the raw single attempt.

use anyhow::{Context, Result, bail};
use proc_macro2::{Ident, Span};
use quote::quote;

/// An operation of the contract, as codegen needs it.
pub struct Operation {
    /// Its `operationId`.
    pub id: String,
    /// Its HTTP method, lower case.
    pub method: String,
    /// The schema of its `Items` when it is a list that pages.
    pub page_item: Option<String>,
    /// Whether that schema has an integer `Id`, by which a stream tells its items apart.
    pub page_item_has_id: bool,
    /// Its integer query parameters with bounds: name, `minimum`, `maximum`.
    pub bounds: Vec<(String, Option<i64>, Option<i64>)>,
}

/// Adds the impls to every builder of `mod builder`.
pub fn add_to_builders(file: &mut syn::File, operations: &[Operation]) -> Result<()> {
    let builder = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.ident == "builder" => module.content.as_mut(),
            _ => None,
        })
        .context("progenitor's output has no `mod builder`")?;
    let mut added = Vec::new();
    for operation in operations {
        let (operation_id, method) = (&operation.id, &operation.method);
        let name = pascal_case(operation_id);
        let fields = struct_fields(&builder.1, &name)
            .with_context(|| format!("no builder struct {name} for {operation_id}"))?;
        let output = send_output(&builder.1, &name).with_context(|| {
            format!("no `send` of {name} returning Result<ResponseValue<T>, _>")
        })?;
        let ident = Ident::new(&name, Span::call_site());
        let method = Ident::new(&method.to_uppercase(), Span::call_site());
        let fields: Vec<&Ident> = fields.iter().filter(|field| *field != "client").collect();
        let doc = format!(
            "Sends the request with the client's token and retry policy; see `crate::call`. Added by `cargo xtask codegen` for `{operation_id}`."
        );
        added.push(syn::parse2::<syn::File>(quote! {
            impl<'a> #ident<'a> {
                ///The client this request is bound to (added by `cargo xtask codegen`).
                pub fn bound_client(&self) -> &'a super::Client {
                    self.client
                }
                ///The same request, bound to another client (added by `cargo xtask codegen`).
                pub fn with_client<'b>(self, client: &'b super::Client) -> #ident<'b> {
                    let Self { client: _, #(#fields),* } = self;
                    #ident { client, #(#fields),* }
                }
            }
            impl<'a> ::std::future::IntoFuture for #ident<'a> {
                type Output = ::std::result::Result<#output, crate::Error>;
                type IntoFuture = crate::call::CallFuture<'a, #output>;
                #[doc = #doc]
                fn into_future(self) -> Self::IntoFuture {
                    let client = self.client;
                    crate::call::call(client, ::reqwest::Method::#method, #operation_id, self, Self::send)
                }
            }
        })?);
        if let Some(item) = &operation.page_item {
            added.push(paging(
                &ident,
                operation_id,
                item,
                operation.page_item_has_id,
            )?);
        }
        for (parameter, minimum, maximum) in &operation.bounds {
            check_bounds(&mut builder.1, &name, parameter, *minimum, *maximum)?;
        }
        document_send(&mut builder.1, &name)?;
    }
    for file in added {
        builder.1.extend(file.items);
    }
    teach_await(&mut file.items);
    let max_page_size = operations
        .iter()
        .flat_map(|operation| &operation.bounds)
        .filter(|(name, _, _)| name == "pageSize")
        .filter_map(|(_, _, maximum)| *maximum)
        .min()
        .context("no operation bounds its pageSize")?;
    let max_page_size = i32::try_from(max_page_size).context("a pageSize maximum beyond i32")?;
    file.items.push(syn::parse_quote! {
        ///The largest `pageSize` the contract allows any list (`maximum` of its `pageSize`): a
        ///larger one is refused before anything is sent. Added by `cargo xtask codegen`.
        pub const MAX_PAGE_SIZE: i32 = #max_page_size;
    });
    Ok(())
}

/// Makes the setter of a bounded parameter refuse a value out of its bounds: the builder then
/// holds the error, and `send()` fails with it before anything is sent.
fn check_bounds(
    items: &mut [syn::Item],
    builder: &str,
    parameter: &str,
    minimum: Option<i64>,
    maximum: Option<i64>,
) -> Result<()> {
    let setter = snake_case(parameter);
    let field = Ident::new(&setter, Span::call_site());
    let function = builder_method(items, builder, &setter)
        .with_context(|| format!("no setter {setter} on {builder}"))?;
    let (low, high) = (minimum.unwrap_or(i64::MIN), maximum.unwrap_or(i64::MAX));
    let bounds = match (minimum, maximum) {
        (Some(low), Some(high)) => format!("{low} to {high}"),
        (Some(low), None) => format!("at least {low}"),
        (None, Some(high)) => format!("at most {high}"),
        (None, None) => return Ok(()),
    };
    let message = format!("{parameter} {{value}} is out of the contract's bounds: {bounds}");
    let check: syn::Stmt = syn::parse_quote! {
        if let Ok(Some(value)) = &self.#field
            && !(#low..=#high).contains(&i64::from(*value))
        {
            self.#field = Err(format!(#message));
        }
    };
    let last = function.block.stmts.len().saturating_sub(1);
    function.block.stmts.insert(last, check);
    Ok(())
}

/// Documents a builder's `send()` as the raw single attempt it is.
fn document_send(items: &mut [syn::Item], builder: &str) -> Result<()> {
    let function = builder_method(items, builder, "send")
        .with_context(|| format!("no send() on {builder}"))?;
    let text = "\nThe raw single attempt: one request, with the cached token but no token \
                refresh, no retry and no call span, answering progenitor's error and a \
                `ResponseValue`. Await the builder itself instead (`.await`), which runs the call \
                layer (`crate::call`) and answers `crate::Error`.";
    function.attrs.push(syn::parse_quote!(#[doc = #text]));
    Ok(())
}

/// The method `name` of `impl builder<'a>`.
fn builder_method<'i>(
    items: &'i mut [syn::Item],
    builder: &str,
    name: &str,
) -> Option<&'i mut syn::ImplItemFn> {
    items.iter_mut().find_map(|item| {
        let syn::Item::Impl(block) = item else {
            return None;
        };
        let syn::Type::Path(self_type) = &*block.self_ty else {
            return None;
        };
        if block.trait_.is_some() || self_type.path.segments.last()?.ident != builder {
            return None;
        }
        block.items.iter_mut().find_map(|item| match item {
            syn::ImplItem::Fn(function) if function.sig.ident == name => Some(function),
            _ => None,
        })
    })
}

/// The doc examples of `Client`'s methods, which progenitor writes with `.send().await`, await
/// the builder instead: the call the README and the crate documentation teach.
fn teach_await(items: &mut [syn::Item]) {
    for item in items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        for item in &mut block.items {
            let syn::ImplItem::Fn(function) = item else {
                continue;
            };
            for attribute in &mut function.attrs {
                let syn::Meta::NameValue(doc) = &mut attribute.meta else {
                    continue;
                };
                let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) = &doc.value
                else {
                    continue;
                };
                let value = text.value();
                if value.contains("\n    .send()\n    .await;") {
                    let taught = value
                        .replace("let response = ", "let value = ")
                        .replace("\n    .send()\n    .await;", "\n    .await?;");
                    doc.value = syn::parse_quote!(#taught);
                }
            }
        }
    }
}

fn snake_case(name: &str) -> String {
    let mut snake = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            snake.push('_');
            snake.push(c.to_ascii_lowercase());
        } else {
            snake.push(c);
        }
    }
    snake
}

/// `into_stream()`, `paging()` and `ListRequest` for the builder of a list that pages.
fn paging(builder: &Ident, operation_id: &str, item: &str, has_id: bool) -> Result<syn::File> {
    let item = Ident::new(item, Span::call_site());
    let item_id = if has_id {
        quote! { item.id.map(i64::from) }
    } else {
        quote! { { let _ = item; None } }
    };
    let stream_doc = format!(
        "Every `{item}` of this listing, page after page, with the page size this builder was given (else the default) and the default concurrency: see `crate::Paging` (added by `cargo xtask codegen` for `{operation_id}`)."
    );
    Ok(syn::parse2(quote! {
        impl<'a> #builder<'a> {
            #[doc = #stream_doc]
            pub fn into_stream(self) -> crate::paging::ItemStream<types::#item> {
                self.paging().stream()
            }
            ///How to walk the pages of this listing: page size (the one this builder was given, unless changed here), concurrency, page bound (added by `cargo xtask codegen`).
            pub fn paging(self) -> crate::paging::Paging<#builder<'static>> {
                let client = self.client.clone();
                let page_size = self.page_size.as_ref().ok().copied().flatten();
                let template = self.with_client(crate::paging::detached(&client));
                let paging = crate::paging::Paging::new(client, template);
                match page_size {
                    Some(page_size) => paging.page_size(page_size),
                    None => paging,
                }
            }
        }
        impl crate::paging::ListRequest for #builder<'static> {
            type Item = types::#item;
            fn item_id(item: &Self::Item) -> ::std::option::Option<i64> {
                #item_id
            }
            fn fetch_page<'c>(
                &self,
                client: &'c super::Client,
                page: i32,
                page_size: i32,
            ) -> ::futures_util::future::BoxFuture<'c, ::std::result::Result<crate::paging::Page<types::#item>, crate::Error>> {
                let mut request = self.clone().with_client(client).page(page);
                // A page size the builder refused stays refused: the first page fails with
                // `InvalidRequest` before anything is sent, instead of walking at another size.
                if self.page_size.is_ok() {
                    request = request.page_size(page_size);
                }
                ::std::boxed::Box::pin(async move {
                    let collection = request.await?;
                    Ok(crate::paging::Page {
                        items: collection.items.unwrap_or_default(),
                        total_hits: collection.total_hits,
                    })
                })
            }
        }
    })?)
}

fn pascal_case(operation_id: &str) -> String {
    let mut chars = operation_id.chars();
    chars
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn struct_fields(items: &[syn::Item], name: &str) -> Option<Vec<Ident>> {
    items.iter().find_map(|item| match item {
        syn::Item::Struct(item) if item.ident == name => Some(
            item.fields
                .iter()
                .filter_map(|field| field.ident.clone())
                .collect(),
        ),
        _ => None,
    })
}

/// `T` of `pub async fn send(self) -> Result<ResponseValue<T>, Error<..>>` in `impl X<'a>`.
fn send_output(items: &[syn::Item], name: &str) -> Option<syn::Type> {
    items.iter().find_map(|item| {
        let syn::Item::Impl(block) = item else {
            return None;
        };
        let syn::Type::Path(self_type) = &*block.self_ty else {
            return None;
        };
        if block.trait_.is_some() || self_type.path.segments.last()?.ident != name {
            return None;
        }
        block.items.iter().find_map(|item| match item {
            syn::ImplItem::Fn(function) if function.sig.ident == "send" => {
                let syn::ReturnType::Type(_, result) = &function.sig.output else {
                    return None;
                };
                let value = first_generic(result)?;
                first_generic(&value)
            }
            _ => None,
        })
    })
}

fn first_generic(ty: &syn::Type) -> Option<syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let syn::PathArguments::AngleBracketed(arguments) = &path.path.segments.last()?.arguments
    else {
        return None;
    };
    arguments.args.iter().find_map(|argument| match argument {
        syn::GenericArgument::Type(ty) => Some(ty.clone()),
        _ => None,
    })
}

/// Every operation of the contract: its operationId, its method, and whether it pages.
pub fn operations(spec: &serde_json::Value) -> Result<Vec<Operation>> {
    let mut found = Vec::new();
    for item in spec["paths"].as_object().context("paths")?.values() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            if let Some(id) = operation.get("operationId").and_then(|id| id.as_str()) {
                found.push(Operation {
                    id: id.to_owned(),
                    method: method.clone(),
                    page_item: page_item(spec, operation),
                    page_item_has_id: page_item(spec, operation).is_some_and(|item| {
                        spec["components"]["schemas"][item.as_str()]["properties"]["Id"]["type"]
                            == "integer"
                    }),
                    bounds: bounds(spec, operation),
                });
            }
        }
    }
    if found.is_empty() {
        bail!("the contract has no operation");
    }
    Ok(found)
}

/// The integer query parameters of `operation` with a `minimum` or `maximum`.
fn bounds(
    spec: &serde_json::Value,
    operation: &serde_json::Value,
) -> Vec<(String, Option<i64>, Option<i64>)> {
    operation["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|parameter| match parameter["$ref"].as_str() {
            Some(reference) => spec
                .pointer(reference.trim_start_matches('#'))
                .cloned()
                .unwrap_or_default(),
            None => parameter.clone(),
        })
        .filter(|parameter| parameter["in"] == "query" && parameter["schema"]["type"] == "integer")
        .filter_map(|parameter| {
            let schema = &parameter["schema"];
            let (minimum, maximum) = (schema["minimum"].as_i64(), schema["maximum"].as_i64());
            (minimum.is_some() || maximum.is_some()).then(|| {
                (
                    parameter["name"].as_str().unwrap_or_default().to_owned(),
                    minimum,
                    maximum,
                )
            })
        })
        .collect()
}

/// The schema name of `Items` when `operation` is a list that pages: it takes the query
/// parameters `page` and `pageSize`, and its 200 answers a referenced schema with `TotalHits`
/// and an array `Items` of a referenced schema.
fn page_item(spec: &serde_json::Value, operation: &serde_json::Value) -> Option<String> {
    let resolve = |value: &serde_json::Value| -> serde_json::Value {
        match value.get("$ref").and_then(|r| r.as_str()) {
            Some(reference) => spec
                .pointer(reference.trim_start_matches('#'))
                .cloned()
                .unwrap_or_default(),
            None => value.clone(),
        }
    };
    let query: Vec<String> = operation["parameters"]
        .as_array()?
        .iter()
        .map(resolve)
        .filter(|parameter| parameter["in"] == "query")
        .filter_map(|parameter| parameter["name"].as_str().map(str::to_owned))
        .collect();
    if !["page", "pageSize"]
        .iter()
        .all(|name| query.iter().any(|q| q == name))
    {
        return None;
    }
    let collection =
        resolve(&operation["responses"]["200"]["content"]["application/json"]["schema"]);
    collection["properties"].get("TotalHits")?;
    let items = &collection["properties"]["Items"];
    if items["type"] != "array" {
        return None;
    }
    let reference = items["items"]["$ref"].as_str()?;
    reference
        .strip_prefix("#/components/schemas/")
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn every_list_that_pages_is_found_from_its_parameters_and_collection() {
        let text = std::fs::read_to_string(crate::workspace_root().join(crate::SPEC_PATH)).unwrap();
        let spec: serde_json::Value = serde_yaml::from_str(&text).unwrap();
        let paged: BTreeMap<String, String> = operations(&spec)
            .unwrap()
            .into_iter()
            .filter_map(|operation| Some((operation.id, operation.page_item?)))
            .collect();
        let expected = [
            ("listCustomerTenants", "CustomerTenant"),
            ("listInvoiceProfiles", "InvoiceProfile"),
            ("listOrganizations", "Organization"),
            ("listPublishers", "Publisher"),
        ];
        let expected: BTreeMap<String, String> = expected
            .into_iter()
            .map(|(id, item)| (id.to_owned(), item.to_owned()))
            .collect();
        assert_eq!(
            paged, expected,
            "the agreements list takes no page: it does not page"
        );
    }

    #[test]
    fn a_list_without_total_hits_does_not_page() {
        let spec = serde_json::json!({
            "paths": {"/x/": {"get": {
                "operationId": "listX",
                "parameters": [{"name": "page", "in": "query"}, {"name": "pageSize", "in": "query"}],
                "responses": {"200": {"content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {"Items": {"type": "array", "items": {"$ref": "#/components/schemas/X"}}}
                }}}}}
            }}}
        });
        let operations = operations(&spec).unwrap();
        assert_eq!(operations[0].page_item, None);
    }
}
