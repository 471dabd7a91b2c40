//! `roster users list`: the users of every configured vendor (or the ones named), walking
//! every page; `--search` uses the vendor's own search where it has one (Vectera `search`, VEO
//! `searchTerm`; Vyte lists everyone in one answer) and keeps the users whose address or name
//! holds the text.

use clap::Args;
use futures::StreamExt;
use roster::Vendor;

use crate::context::Context;
use crate::out::{Failure, Out, cell, json_safe, warn};

#[derive(Debug, Args)]
pub struct UsersListArgs {
    /// Only these vendors (comma-separated; default: every configured one).
    #[arg(long, alias = "vendors", value_delimiter = ',', value_parser = crate::vendor_parser())]
    pub vendor: Vec<Vendor>,
    /// Only users whose email or name contains this (case-insensitive).
    #[arg(long)]
    pub search: Option<String>,
    /// Print one JSON object per line (every field whole) instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(ctx: &Context, args: UsersListArgs) -> Result<(), Failure> {
    let vendors = if args.vendor.is_empty() {
        ctx.configured(&[])
    } else {
        let mut vendors = args.vendor.clone();
        vendors.sort();
        vendors.dedup();
        vendors
    };
    if vendors.is_empty() {
        // Names every variable: nothing is configured.
        ctx.provisioner(&Vendor::ALL)?;
    }
    let provisioner = ctx.provisioner(&vendors)?;
    let needle = args.search.as_deref().map(str::to_lowercase);
    let mut out = Out::default();
    if !args.json {
        // 8 + 31 + 22 + 6 + 9 columns and 4 spaces between them: 80.
        out.line(format_args!(
            "{} {} {} {} id",
            cell("vendor", 8),
            cell("email", 31),
            cell("name", 22),
            cell("active", 6)
        ));
    }
    let mut failures = Vec::new();
    for vendor in vendors {
        let mut shown = 0usize;
        let accounts = match args.search.as_deref() {
            Some(text) => provisioner.search(vendor, text).left_stream(),
            None => provisioner.list(vendor).right_stream(),
        };
        futures::pin_mut!(accounts);
        // The reader gone (`| head`), there is nothing left to do.
        while !out.gone
            && let Some(account) = accounts.next().await
        {
            let account = match account {
                Ok(account) => account,
                Err(e) => {
                    failures.push(e.to_string());
                    break;
                }
            };
            let name = format!(
                "{} {}",
                account.first_name.as_deref().unwrap_or(""),
                account.last_name.as_deref().unwrap_or("")
            )
            .trim()
            .to_owned();
            let email = account.email.as_deref().unwrap_or("");
            if let Some(needle) = &needle
                && !email.to_lowercase().contains(needle)
                && !name.to_lowercase().contains(needle)
            {
                continue;
            }
            shown += 1;
            if args.json {
                let line = serde_json::json!({
                    "vendor": vendor.name(),
                    "id": account.id,
                    "email": account.email,
                    "first_name": account.first_name,
                    "last_name": account.last_name,
                    "active": account.active,
                });
                out.line(json_safe(&line));
            } else {
                let active = match account.active {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "-",
                };
                out.line(format_args!(
                    "{} {} {} {} {}",
                    cell(vendor.name(), 8),
                    cell(email, 31),
                    cell(&name, 22),
                    cell(active, 6),
                    cell(&account.id, 9).trim_end()
                ));
            }
        }
        if !args.json && !out.gone {
            warn(&format!("{shown} user(s) in {vendor}"));
        }
    }
    if !failures.is_empty() {
        return Err(Failure::failed(failures.join("\n")));
    }
    Ok(())
}
