//! `roster`: onboard a team into Vectera, Vyte and VEO from a CSV file, and the day-to-day
//! chores around it (list users, one-time login links, meeting rooms).
//!
//! Credentials come from the environment (`ROSTER_<VENDOR>_TOKEN`, optional
//! `ROSTER_<VENDOR>_BASE_URL`); `--sandbox` runs everything against the built-in fakes instead.
//!
//! Exit codes: 0 done; 1 a vendor call failed for at least one member (the others were still
//! done; the report says which); 2 bad usage, configuration or file, or refused credentials;
//! 3 `--strict` refused a file with invalid rows; 130 interrupted by Ctrl-C.
//!
//! Output goes through [`Out`]: a reader that leaves (`roster users list | head -1`) stops the
//! printing, never the work in flight or the report.

mod report;
mod team;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser as _};
use clap::{Args, Parser, Subcommand};
use futures::StreamExt;
use roster::redact::terminal_safe;
use roster::vectera::types::AccessLevel;
use roster::{Config, Provisioner, Vendor};

/// The longest vendor string printed in a table cell or line.
const MAX_SHOWN: usize = 200;

/// Provision people into Vectera, Vyte and VEO.
#[derive(Debug, Parser)]
#[command(name = "roster", version, about, long_about = None)]
#[command(after_help = "\
Credentials: ROSTER_VECTERA_TOKEN, ROSTER_VYTE_TOKEN, ROSTER_VEO_TOKEN (and optionally
ROSTER_<VENDOR>_BASE_URL), or --sandbox to use the built-in fake vendors.

Exit codes: 0 done, 1 some member failed in some vendor, 2 bad usage/configuration/file
(nothing sent) or a vendor refused the credentials (named with the variable to check),
3 --strict refused a file with invalid rows (nothing sent), 130 interrupted.

Ctrl-C during `provision`: no new member is started, the calls in flight finish, the report
gets its summary line, exit code 130. A second Ctrl-C stops at once (the report then holds
every outcome so far, and no summary line).")]
struct Cli {
    /// Run against the built-in sandbox (fakes of all three vendors on 127.0.0.1) instead of
    /// the real vendors; no credentials needed.
    #[arg(long, global = true)]
    sandbox: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create or update every member of a team CSV in the vendors (idempotent: a second run
    /// reports everything unchanged).
    Provision(ProvisionArgs),
    /// Users as a vendor lists them.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Print a one-time Vectera login link for a member.
    LoginLink(LoginLinkArgs),
    /// Vectera meeting rooms.
    #[command(subcommand)]
    Rooms(RoomsCommand),
}

#[derive(Debug, Args)]
struct ProvisionArgs {
    /// The team CSV: columns email, first_name, last_name, and optionally admin,
    /// vectera_managed, vyte_timezone, vyte_language, vyte_teams, veo_communities (lists
    /// separated by `;`).
    file: PathBuf,
    /// The vendors to provision into (comma-separated).
    #[arg(long, value_delimiter = ',', value_parser = vendor_parser(), default_values_t = Vendor::ALL)]
    vendors: Vec<Vendor>,
    /// Check the file and the configuration, print what would be provisioned, send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Send nothing at all when any row is invalid (exit code 3), instead of skipping the
    /// invalid rows.
    #[arg(long)]
    strict: bool,
    /// Where to write the report: JSON Lines, written as outcomes arrive (a start line, one
    /// line per invalid row and per member, a summary line at the end). Checked before
    /// anything is sent.
    #[arg(long, default_value = "roster-report.jsonl")]
    report: PathBuf,
    /// Calls in flight per vendor.
    #[arg(long, default_value_t = roster::DEFAULT_CONCURRENCY as u16, value_parser = clap::value_parser!(u16).range(1..=256))]
    concurrency: u16,
}

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// List a vendor's users, walking every page.
    List(UsersListArgs),
}

#[derive(Debug, Args)]
struct UsersListArgs {
    /// The vendor.
    #[arg(long, value_parser = vendor_parser())]
    vendor: Vendor,
    /// Only users whose email or name contains this (case-insensitive).
    #[arg(long)]
    search: Option<String>,
    /// Print one JSON object per line instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct LoginLinkArgs {
    /// The member's email address.
    email: String,
    /// Where the link leads after login: a path on the Vectera site, e.g. `/scheduling/`.
    #[arg(long)]
    next: Option<String>,
}

#[derive(Debug, Subcommand)]
enum RoomsCommand {
    /// Create a meeting room owned by a member, with an access key.
    Create(RoomsCreateArgs),
}

#[derive(Debug, Args)]
struct RoomsCreateArgs {
    /// The owner's email address.
    email: String,
    /// The room's key (its address); random when left out.
    #[arg(long)]
    key: Option<String>,
    /// What the access key allows.
    #[arg(long, value_parser = access_parser(), default_value = "can-always-join")]
    access: AccessLevel,
}

/// `--vendor(s)`: the names of [`Vendor::ALL`] (`vectera`, `vyte`, `veo`), parsed into the
/// library's own [`Vendor`] (no mirror enum to keep in step).
fn vendor_parser() -> impl clap::builder::TypedValueParser<Value = Vendor> {
    PossibleValuesParser::new(Vendor::ALL.map(|vendor| PossibleValue::new(vendor.name()))).try_map(
        |name| {
            Vendor::ALL
                .into_iter()
                .find(|vendor| vendor.name() == name)
                .ok_or_else(|| format!("no vendor named {name}"))
        },
    )
}

/// `--access`: Vectera's [`AccessLevel`] for a room's access key, spelled in kebab case on the
/// command line (`is-host`) and parsed by the generated type's own `FromStr` (`is_host`).
fn access_parser() -> impl clap::builder::TypedValueParser<Value = AccessLevel> {
    PossibleValuesParser::new([
        PossibleValue::new("can-always-join").help("Join the room at any time"),
        PossibleValue::new("is-host").help("Join as the host"),
    ])
    .try_map(|name| name.replace('-', "_").parse::<AccessLevel>())
}

/// Why the command stopped, with its exit code.
#[derive(Debug)]
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }

    fn failed(message: impl Into<String>) -> Self {
        Self {
            code: 1,
            message: message.into(),
        }
    }
}

/// Standard output that its reader may leave (`| head -1`): once a write fails (a closed
/// pipe), nothing more is printed and the command goes on quietly.
#[derive(Debug, Default)]
struct Out {
    gone: bool,
}

impl Out {
    /// Prints `text` as is.
    fn print(&mut self, text: &str) {
        if self.gone {
            return;
        }
        let mut stdout = std::io::stdout().lock();
        if let Err(e) = stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
        {
            self.gone = true;
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                warn(&format!("roster: cannot print to standard output: {e}"));
            }
        }
    }

    /// Prints `text` and a line break.
    fn line(&mut self, text: impl std::fmt::Display) {
        self.print(&format!("{text}\n"));
    }
}

/// A line on standard error (never a panic when it is closed).
fn warn(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            warn(&format!("roster: cannot start the async runtime: {e}"));
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !failure.message.is_empty() {
                warn(&format!("roster: {}", failure.message));
            }
            ExitCode::from(failure.code)
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    // The sandbox lives as long as the command: its servers run on this process's runtime.
    let sandbox = if cli.sandbox {
        let sandbox = roster_sandbox::Sandbox::start()
            .await
            .map_err(|e| Failure::failed(format!("cannot start the sandbox: {e}")))?;
        warn("roster: using the built-in sandbox (fake vendors on 127.0.0.1)");
        Some(sandbox)
    } else {
        None
    };
    let config = match &sandbox {
        Some(sandbox) => sandbox.config(),
        None => Config::from_env().map_err(|e| Failure::usage(e.to_string()))?,
    };
    match cli.command {
        Command::Provision(args) => provision(&config, args).await,
        Command::Users(UsersCommand::List(args)) => users_list(&config, args).await,
        Command::LoginLink(args) => login_link(&config, args).await,
        Command::Rooms(RoomsCommand::Create(args)) => rooms_create(&config, args).await,
    }
}

/// The provisioner for `vendors`, or an error saying exactly what to set.
fn provisioner(config: &Config, vendors: &[Vendor]) -> Result<Provisioner, Failure> {
    config.require(vendors).map_err(|e| {
        Failure::usage(format!(
            "{e}\n(or pass --sandbox to try roster against the built-in fake vendors)"
        ))
    })?;
    let mut only = Config::default().with_timeouts(config.timeouts());
    for vendor in vendors {
        if let Some(v) = config.vendor(*vendor) {
            only = only
                .with(*vendor, Some(v.base_url()), v.credential().clone())
                .map_err(|e| Failure::usage(e.to_string()))?;
        }
    }
    Provisioner::new(&only).map_err(|e| Failure::usage(format!("cannot build the clients: {e}")))
}

async fn provision(config: &Config, args: ProvisionArgs) -> Result<(), Failure> {
    let mut out = Out::default();
    let mut vendors = args.vendors.clone();
    vendors.sort();
    vendors.dedup();
    let file = std::fs::File::open(&args.file)
        .map_err(|e| Failure::usage(format!("cannot open {}: {e}", args.file.display())))?;
    let team = team::read(std::io::BufReader::new(file))
        .map_err(|e| Failure::usage(format!("{}: {e}", args.file.display())))?;
    for invalid in &team.invalid {
        warn(&format!("{}: {invalid}", args.file.display()));
    }
    if args.strict && !team.invalid.is_empty() {
        return Err(Failure {
            code: 3,
            message: format!(
                "{} invalid row(s) in {}; --strict: nothing was sent",
                team.invalid.len(),
                args.file.display()
            ),
        });
    }
    let provisioner =
        provisioner(config, &vendors)?.with_concurrency(usize::from(args.concurrency));
    let names: Vec<&str> = vendors.iter().map(|v| v.name()).collect();
    if args.dry_run {
        out.line(format_args!(
            "dry run: {} member(s) to provision into {}; {} invalid row(s) skipped; nothing sent",
            team.rows.len(),
            names.join(", "),
            team.invalid.len()
        ));
        for row in &team.rows {
            let m = &row.member;
            out.line(format_args!(
                "  line {:>4}  {}{}",
                row.line,
                m,
                if m.admin { "  (admin)" } else { "" }
            ));
        }
        return Ok(());
    }

    // The journal exists, and can be written, before anything is sent.
    let mut journal = report::Journal::create(&args.report).map_err(Failure::usage)?;
    let started_at = chrono::Utc::now();
    journal.start(
        &args.file.display().to_string(),
        started_at,
        &vendors,
        &team.invalid,
    );
    let stop = Arc::new(AtomicBool::new(false));
    let interrupts = tokio::spawn(
        interrupts(stop.clone())
            .map_err(|e| Failure::failed(format!("cannot listen for Ctrl-C: {e}")))?,
    );
    let (lines, members): (Vec<u64>, Vec<roster::Member>) =
        team.rows.into_iter().map(|r| (r.line, r.member)).unzip();
    out.line(format_args!(
        "provisioning {} member(s) into {}; report: {}",
        members.len(),
        names.join(", "),
        args.report.display()
    ));
    let bar = indicatif::ProgressBar::new((members.len() * vendors.len()) as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {msg} [{bar:30}] {pos}/{len} ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(format!("provisioning into {}", names.join(", ")));
    // After a first Ctrl-C the stream ends: no member is started, those in flight finish.
    let feeding = stop.clone();
    let members = futures::stream::iter(
        members
            .into_iter()
            .take_while(move |_| !feeding.load(Ordering::SeqCst)),
    );
    let reports = provisioner.ensure_stream(members);
    futures::pin_mut!(reports);
    let mut tally = report::Tally::new(&vendors, &team.invalid);
    let mut lines = lines.into_iter();
    // The first refusal of each vendor's credentials (the run stops that vendor there).
    let mut refusals: Vec<(Vendor, roster::Error)> = Vec::new();
    while let Some(report) = reports.next().await {
        for (vendor, outcome) in &report.vendors {
            if let roster::Outcome::Failed(e) = outcome
                && matches!(e.status().map(|s| s.as_u16()), Some(401 | 403))
                && !refusals.iter().any(|(v, _)| v == vendor)
            {
                refusals.push((*vendor, e.clone()));
            }
        }
        let entry = report::MemberEntry::new(lines.next().unwrap_or(0), &report);
        journal.member(&entry);
        tally.add(&entry);
        bar.inc(vendors.len() as u64);
    }
    let interrupted = stop.load(Ordering::SeqCst);
    journal.summary(&tally, interrupted);
    bar.finish_and_clear();
    let written = journal.finish();
    interrupts.abort();

    out.print(&tally.render());
    out.line(format_args!("\nreport: {}", journal.path().display()));
    written.map_err(Failure::failed)?;
    if interrupted {
        return Err(Failure {
            code: 130,
            message: format!(
                "interrupted: {} member(s) done, {} not started; see {}",
                tally.members(),
                lines.len(),
                args.report.display()
            ),
        });
    }
    // A vendor whose credentials were refused stopped at the first refusal: that is bad
    // configuration (exit 2), named once with the variable to check.
    let refused: Vec<String> = refusals
        .iter()
        .map(|(vendor, error)| {
            format!(
                "{vendor}: the credentials were refused ({error}); check {}",
                roster::token_var(*vendor)
            )
        })
        .collect();
    if !refused.is_empty() {
        return Err(Failure::usage(refused.join("\n")));
    }
    let failures = tally.failures();
    if failures > 0 {
        return Err(Failure::failed(format!(
            "{failures} vendor call(s) failed; see {}",
            args.report.display()
        )));
    }
    Ok(())
}

/// Listens for Ctrl-C (SIGINT), registered at once: the first sets `stop`, the second ends
/// the process with exit code 130.
fn interrupts(
    stop: Arc<AtomicBool>,
) -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    Ok(async move {
        #[cfg(unix)]
        let mut next = async || sigint.recv().await.is_some();
        #[cfg(not(unix))]
        let next = async || tokio::signal::ctrl_c().await.is_ok();
        if !next().await {
            return;
        }
        stop.store(true, Ordering::SeqCst);
        warn(
            "roster: interrupted: no new member is started; the calls in flight finish and the \
             report is completed (Ctrl-C again to stop at once)",
        );
        if next().await {
            warn("roster: stopped at once; the report holds every outcome so far, no summary");
            std::process::exit(130);
        }
    })
}

async fn users_list(config: &Config, args: UsersListArgs) -> Result<(), Failure> {
    let vendor = args.vendor;
    let provisioner = provisioner(config, &[vendor])?;
    let needle = args.search.as_deref().map(str::to_lowercase);
    let accounts = provisioner.list(vendor);
    futures::pin_mut!(accounts);
    let mut shown = 0usize;
    let mut out = Out::default();
    if !args.json {
        out.line(format_args!(
            "{:<38} {:<36} {:<24} active",
            "id", "email", "name"
        ));
    }
    // The reader gone (`| head`), there is nothing left to do.
    while !out.gone
        && let Some(account) = accounts.next().await
    {
        let account = account.map_err(|e| Failure::failed(e.to_string()))?;
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
                "{:<38} {:<36} {:<24} {active}",
                terminal_safe(&account.id, MAX_SHOWN),
                terminal_safe(email, MAX_SHOWN),
                terminal_safe(&name, MAX_SHOWN)
            ));
        }
    }
    if !args.json && !out.gone {
        warn(&format!("{shown} user(s) in {vendor}"));
    }
    Ok(())
}

async fn login_link(config: &Config, args: LoginLinkArgs) -> Result<(), Failure> {
    let provisioner = provisioner(config, &[Vendor::Vectera])?;
    let link = provisioner
        .vectera_login_link(&args.email, args.next.as_deref())
        .await
        .map_err(|e| Failure::failed(e.to_string()))?;
    // The link is the output the operator asked for; it goes to stdout only, never to logs.
    Out::default().line(terminal_safe(link.expose(), 8_192));
    warn("one-time link: valid for a single login, shortly");
    Ok(())
}

async fn rooms_create(config: &Config, args: RoomsCreateArgs) -> Result<(), Failure> {
    let provisioner = provisioner(config, &[Vendor::Vectera])?;
    let access = args.access;
    let room = provisioner
        .vectera_meeting_room(&args.email, args.key.as_deref(), access)
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

/// A JSON line for a terminal: serde_json escapes the C0 controls; DEL, the C1 controls (such
/// as U+009B, a one-byte CSI) and bidirectional overrides are escaped too (`\u009b`, still
/// the same JSON string).
fn json_safe(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn json_lines_escape_every_control_character() {
        let value = serde_json::json!({"name": "a\u{1b}[2Jb\u{7f}c\u{9b}31md\u{202e}e\u{7}"});
        let line = json_safe(&value);
        assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
        assert_eq!(
            line,
            r#"{"name":"a\u001b[2Jb\u007fc\u009b31md\u202ee\u0007"}"#
        );
        let back: serde_json::Value = serde_json::from_str(&line).expect("still JSON");
        assert_eq!(back, value);
    }

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn vendors_default_to_all_three_and_parse_a_list() {
        let cli = Cli::try_parse_from(["roster", "provision", "team.csv"]).expect("parses");
        let Command::Provision(args) = cli.command else {
            panic!("provision expected")
        };
        assert_eq!(args.vendors, Vendor::ALL);
        let cli = Cli::try_parse_from(["roster", "provision", "t.csv", "--vendors", "veo,vyte"])
            .expect("parses");
        let Command::Provision(args) = cli.command else {
            panic!("provision expected")
        };
        assert_eq!(args.vendors, [Vendor::Veo, Vendor::Vyte]);
        assert!(
            Cli::try_parse_from(["roster", "provision", "t.csv", "--vendors", "zoom"]).is_err()
        );
    }

    #[test]
    fn access_parses_into_the_generated_access_level() {
        let access = |extra: &[&str]| {
            let mut argv = vec!["roster", "rooms", "create", "ann@example.com"];
            argv.extend_from_slice(extra);
            let cli = Cli::try_parse_from(argv)?;
            let Command::Rooms(RoomsCommand::Create(args)) = cli.command else {
                panic!("rooms create expected")
            };
            Ok::<_, clap::Error>(args.access)
        };
        assert_eq!(access(&[]).expect("default"), AccessLevel::CanAlwaysJoin);
        assert_eq!(
            access(&["--access", "is-host"]).expect("parses"),
            AccessLevel::IsHost
        );
        assert!(access(&["--access", "is_host"]).is_err(), "kebab case only");
        assert!(access(&["--access", "owner"]).is_err());
    }

    #[test]
    fn one_vendor_parses_into_the_library_vendor() {
        for vendor in Vendor::ALL {
            let cli = Cli::try_parse_from(["roster", "users", "list", "--vendor", vendor.name()])
                .expect("parses");
            let Command::Users(UsersCommand::List(args)) = cli.command else {
                panic!("users list expected")
            };
            assert_eq!(args.vendor, vendor);
        }
        let error = Cli::try_parse_from(["roster", "users", "list", "--vendor", "zoom"])
            .expect_err("no such vendor");
        assert!(
            error
                .to_string()
                .contains("[possible values: vectera, vyte, veo]"),
            "{error}"
        );
    }
}
