//! What codegen adds to progenitor's builders, so that it never falls behind the contract:
//! - `IntoFuture`: `client.get_customer_tenant().id(42).await` runs the call through the crate's
//!   call layer (`crates/crayon-tenants/src/call.rs`: token, retries, `crayon_tenants::Error`);
//! - `with_client`: the same request bound to another client, so that a stream of pages can own
//!   its client and keep the caller's builder, filters and all, as its template.

use anyhow::{Context, Result, bail};
use proc_macro2::{Ident, Span};
use quote::quote;

/// Adds the impls to every builder of `mod builder`. `operations` maps each operationId to its
/// HTTP method, as the contract gives them.
pub fn add_to_builders(file: &mut syn::File, operations: &[(String, String)]) -> Result<()> {
    let builder = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.ident == "builder" => module.content.as_mut(),
            _ => None,
        })
        .context("progenitor's output has no `mod builder`")?;
    let mut added = Vec::new();
    for (operation_id, method) in operations {
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
    }
    for file in added {
        builder.1.extend(file.items);
    }
    Ok(())
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

/// Every operation of the contract: its operationId and method.
pub fn operations(spec: &serde_json::Value) -> Result<Vec<(String, String)>> {
    let mut found = Vec::new();
    for item in spec["paths"].as_object().context("paths")?.values() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            if let Some(id) = operation.get("operationId").and_then(|id| id.as_str()) {
                found.push((id.to_owned(), method.clone()));
            }
        }
    }
    if found.is_empty() {
        bail!("the contract has no operation");
    }
    Ok(found)
}
