//! What only Vectera offers: `roster login-link` (a one-time login link) and `roster rooms
//! create` (a meeting room with an access key, and its URL).

use clap::Args;
use roster::Vendor;
use roster::redact::terminal_safe;
use roster::vectera::types::AccessLevel;

use crate::context::Context;
use crate::out::{Failure, MAX_SHOWN, Out, warn};

#[derive(Debug, Args)]
pub struct LoginLinkArgs {
    /// The member's email address.
    pub email: String,
    /// Where the link leads after login: a path on the Vectera site, e.g. `/scheduling/`.
    #[arg(long)]
    pub next: Option<String>,
}

#[derive(Debug, Args)]
pub struct RoomsCreateArgs {
    /// The owner's email address.
    pub email: String,
    /// The room's key (its address); random when left out.
    #[arg(long)]
    pub key: Option<String>,
    /// What the access key allows.
    #[arg(long, value_parser = crate::access_parser(), default_value = "can-always-join")]
    pub access: AccessLevel,
}

pub async fn login_link(ctx: &Context, args: LoginLinkArgs) -> Result<(), Failure> {
    let provisioner = ctx.provisioner(&[Vendor::Vectera])?;
    let link = provisioner
        .vectera_login_link(&args.email, args.next.as_deref())
        .await
        .map_err(|e| Failure::failed(e.to_string()))?;
    // The link is the output the operator asked for; it goes to stdout only, never to logs.
    Out::default().line(terminal_safe(link.expose(), 8_192));
    warn("one-time link: valid for a single login, shortly");
    Ok(())
}

pub async fn rooms_create(ctx: &Context, args: RoomsCreateArgs) -> Result<(), Failure> {
    let provisioner = ctx.provisioner(&[Vendor::Vectera])?;
    let room = provisioner
        .vectera_meeting_room(&args.email, args.key.as_deref(), args.access)
        .await
        .map_err(|e| Failure::failed(e.to_string()))?;
    // Every answer field is optional (Vectera documents none); the facade checked the id.
    let shown = |v: &Option<String>| terminal_safe(v.as_deref().unwrap_or("?"), MAX_SHOWN);
    let mut out = Out::default();
    out.line(format_args!(
        "meeting {} (key {})",
        shown(&room.meeting.id),
        shown(&room.meeting.key)
    ));
    match &room.meeting.url {
        Some(url) => out.line(format_args!("url: {}", terminal_safe(url, MAX_SHOWN))),
        None => out.line("url: (Vectera returned none)"),
    }
    out.line(format_args!(
        "permission {} ({})",
        shown(&room.permission.id),
        shown(&room.permission.access_level)
    ));
    match &room.permission.access_key {
        Some(key) => out.line(format_args!(
            "access key: {}",
            terminal_safe(key.expose(), MAX_SHOWN)
        )),
        None => out.line("access key: (Vectera returned none)"),
    }
    Ok(())
}
