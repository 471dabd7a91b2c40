//! `roster`: onboard a team into Vectera, Vyte and VEO from a CSV file, and the day-to-day
//! chores around it (list users, one-time login links, meeting rooms).
//!
//! Credentials come from the environment (`ROSTER_<VENDOR>_TOKEN`, optional
//! `ROSTER_<VENDOR>_BASE_URL`); `--sandbox` runs everything against the built-in fakes instead.
//!
//! Exit codes: 0 done; 1 a vendor call failed for at least one member (the others were still
//! done; the report says which); 2 bad usage, configuration or file; 3 `--strict` refused a
//! file with invalid rows.

mod report;
mod team;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use futures::StreamExt;
use roster::{Config, Provisioner, Vendor};

/// Provision people into Vectera, Vyte and VEO.
#[derive(Debug, Parser)]
#[command(name = "roster", version, about, long_about = None)]
#[command(after_help = "\
Credentials: ROSTER_VECTERA_TOKEN, ROSTER_VYTE_TOKEN, ROSTER_VEO_TOKEN (and optionally
ROSTER_<VENDOR>_BASE_URL), or --sandbox to use the built-in fake vendors.

Exit codes: 0 done, 1 some member failed in some vendor, 2 bad usage/configuration/file,
3 --strict refused a file with invalid rows.")]
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
    /// vectera_managed, vyte_timezone, vyte_language, vyte_teams, veo_region_id,
    /// veo_communities (lists separated by `;`).
    file: PathBuf,
    /// The vendors to provision into (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = [VendorArg::Vectera, VendorArg::Vyte, VendorArg::Veo])]
    vendors: Vec<VendorArg>,
    /// Check the file and the configuration, print what would be provisioned, send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Send nothing at all when any row is invalid (exit code 3), instead of skipping the
    /// invalid rows.
    #[arg(long)]
    strict: bool,
    /// Where to write the JSON report.
    #[arg(long, default_value = "roster-report.json")]
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
    #[arg(long)]
    vendor: VendorArg,
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
    #[arg(long, value_enum, default_value_t = Access::CanAlwaysJoin)]
    access: Access,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Access {
    /// Join the room at any time.
    CanAlwaysJoin,
    /// Join as the host.
    IsHost,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum VendorArg {
    Vectera,
    Vyte,
    Veo,
}

impl From<VendorArg> for Vendor {
    fn from(v: VendorArg) -> Self {
        match v {
            VendorArg::Vectera => Vendor::Vectera,
            VendorArg::Vyte => Vendor::Vyte,
            VendorArg::Veo => Vendor::Veo,
        }
    }
}

impl std::fmt::Display for VendorArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(Vendor::from(*self).name())
    }
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("roster: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !failure.message.is_empty() {
                eprintln!("roster: {}", failure.message);
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
        eprintln!("roster: using the built-in sandbox (fake vendors on 127.0.0.1)");
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
                .with(*vendor, Some(v.base_url()), v.secret().clone())
                .map_err(|e| Failure::usage(e.to_string()))?;
        }
    }
    Provisioner::new(&only).map_err(|e| Failure::usage(format!("cannot build the clients: {e}")))
}

async fn provision(config: &Config, args: ProvisionArgs) -> Result<(), Failure> {
    let mut vendors: Vec<Vendor> = args.vendors.iter().map(|v| Vendor::from(*v)).collect();
    vendors.sort();
    vendors.dedup();
    let file = std::fs::File::open(&args.file)
        .map_err(|e| Failure::usage(format!("cannot open {}: {e}", args.file.display())))?;
    let team = team::read(std::io::BufReader::new(file))
        .map_err(|e| Failure::usage(format!("{}: {e}", args.file.display())))?;
    for invalid in &team.invalid {
        eprintln!("{}: {invalid}", args.file.display());
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
        println!(
            "dry run: {} member(s) to provision into {}; {} invalid row(s) skipped; nothing sent",
            team.rows.len(),
            names.join(", "),
            team.invalid.len()
        );
        for row in &team.rows {
            let m = &row.member;
            println!(
                "  line {:>4}  {}{}",
                row.line,
                m,
                if m.admin { "  (admin)" } else { "" }
            );
        }
        return Ok(());
    }

    let started_at = chrono::Utc::now();
    let (lines, members): (Vec<u64>, Vec<roster::Member>) =
        team.rows.into_iter().map(|r| (r.line, r.member)).unzip();
    let bar = indicatif::ProgressBar::new((members.len() * vendors.len()) as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {msg} [{bar:30}] {pos}/{len} ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(format!("provisioning into {}", names.join(", ")));
    let reports = provisioner
        .ensure_all_with(&members, |_, _, _| bar.inc(1))
        .await;
    bar.finish_and_clear();
    drop(members);

    let report = report::Report::new(
        &args.file.display().to_string(),
        started_at,
        &vendors,
        &lines,
        &reports,
        &team.invalid,
    );
    print!("{}", report.render());
    let json = serde_json::to_vec_pretty(&report)
        .map_err(|e| Failure::failed(format!("cannot encode the report: {e}")))?;
    std::fs::write(&args.report, json).map_err(|e| {
        Failure::failed(format!(
            "cannot write the report to {}: {e}",
            args.report.display()
        ))
    })?;
    println!("\nreport: {}", args.report.display());
    let failures = report.failures();
    if failures > 0 {
        return Err(Failure::failed(format!(
            "{failures} vendor call(s) failed; see {}",
            args.report.display()
        )));
    }
    Ok(())
}

async fn users_list(config: &Config, args: UsersListArgs) -> Result<(), Failure> {
    let vendor = Vendor::from(args.vendor);
    let provisioner = provisioner(config, &[vendor])?;
    let needle = args.search.as_deref().map(str::to_lowercase);
    let accounts = provisioner.list(vendor);
    futures::pin_mut!(accounts);
    let mut shown = 0usize;
    if !args.json {
        println!("{:<38} {:<36} {:<24} active", "id", "email", "name");
    }
    while let Some(account) = accounts.next().await {
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
            println!("{line}");
        } else {
            let active = match account.active {
                Some(true) => "yes",
                Some(false) => "no",
                None => "-",
            };
            println!("{:<38} {:<36} {:<24} {active}", account.id, email, name);
        }
    }
    if !args.json {
        eprintln!("{shown} user(s) in {vendor}");
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
    println!("{}", link.expose());
    eprintln!("one-time link: valid for a single login, shortly");
    Ok(())
}

async fn rooms_create(config: &Config, args: RoomsCreateArgs) -> Result<(), Failure> {
    use roster::vectera::types::AccessLevel;
    let provisioner = provisioner(config, &[Vendor::Vectera])?;
    let access = match args.access {
        Access::CanAlwaysJoin => AccessLevel::CanAlwaysJoin,
        Access::IsHost => AccessLevel::IsHost,
    };
    let room = provisioner
        .vectera_meeting_room(&args.email, args.key.as_deref(), access)
        .await
        .map_err(|e| Failure::failed(e.to_string()))?;
    // Every answer field is optional (Vectera documents none); the facade checked the id.
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".to_owned());
    println!(
        "meeting {} (key {})",
        text(&room.meeting.id),
        text(&room.meeting.key)
    );
    println!(
        "permission {} ({})",
        text(&room.permission.id),
        text(&room.permission.access_level)
    );
    match &room.permission.access_key {
        Some(key) => println!("access key: {}", key.expose()),
        None => println!("access key: (Vectera returned none)"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

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
        assert_eq!(
            args.vendors,
            [VendorArg::Vectera, VendorArg::Vyte, VendorArg::Veo]
        );
        let cli = Cli::try_parse_from(["roster", "provision", "t.csv", "--vendors", "veo,vyte"])
            .expect("parses");
        let Command::Provision(args) = cli.command else {
            panic!("provision expected")
        };
        assert_eq!(args.vendors, [VendorArg::Veo, VendorArg::Vyte]);
        assert!(
            Cli::try_parse_from(["roster", "provision", "t.csv", "--vendors", "zoom"]).is_err()
        );
    }
}
