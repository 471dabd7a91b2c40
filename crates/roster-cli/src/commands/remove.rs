//! `roster remove EMAIL...`: offboards one-off leavers from the vendors, each the way the
//! vendor allows (Vectera: delete, Vyte: unlink, VEO: deactivate) — what `provision --prune`
//! does to accounts the file does not name; never the credentials' own account.

use clap::Args;
use roster::{Outcome, Vendor};

use crate::context::Context;
use crate::out::{Failure, Out, cell, warn};

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The leavers' email addresses.
    #[arg(required = true, value_name = "EMAIL")]
    pub emails: Vec<String>,
    /// The vendors (comma-separated).
    #[arg(long, value_delimiter = ',', value_parser = crate::vendor_parser(), default_values_t = Vendor::ALL)]
    pub vendors: Vec<Vendor>,
}

pub async fn run(ctx: &Context, args: RemoveArgs) -> Result<(), Failure> {
    let mut vendors = args.vendors.clone();
    vendors.sort();
    vendors.dedup();
    for email in &args.emails {
        roster::Member::new(email, "-", "-").map_err(|e| Failure::usage(e.to_string()))?;
    }
    let provisioner = ctx.provisioner(&vendors)?;
    let mut out = Out::default();
    let mut failures = 0;
    for email in &args.emails {
        for vendor in &vendors {
            let outcome = provisioner.offboard(*vendor, email).await;
            let what = match &outcome {
                Outcome::Removed => "deleted".to_owned(),
                Outcome::Deactivated if *vendor == Vendor::Vyte => "unlinked".to_owned(),
                Outcome::Deactivated => "deactivated".to_owned(),
                Outcome::Unchanged => "already inactive".to_owned(),
                Outcome::Absent => "not there".to_owned(),
                Outcome::Failed(e) => {
                    failures += 1;
                    warn(&format!("roster: {email} in {vendor}: {e}"));
                    "failed".to_owned()
                }
                other => crate::report::word(other).to_owned(),
            };
            out.line(format_args!(
                "{} {} {}",
                cell(email, 44),
                cell(vendor.name(), 8),
                what
            ));
        }
    }
    if failures > 0 {
        return Err(Failure::failed(format!("{failures} removal(s) failed")));
    }
    Ok(())
}
