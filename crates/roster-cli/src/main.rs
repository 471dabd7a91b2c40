//! `roster`: onboard a team into Vectera, Vyte and VEO from a CSV file — plan, provision,
//! offboard — and the day-to-day chores around it (list users, one-time login links, meeting
//! rooms).
//!
//! Credentials come from the environment (`ROSTER_<VENDOR>_TOKEN`, optional
//! `ROSTER_<VENDOR>_BASE_URL`; for VEO, a username, password and client id instead); `--sandbox` runs everything against the built-in fakes instead,
//! their state kept in a local directory between commands.
//!
//! Exit codes: 0 done; 1 a vendor call failed for at least one member (the others were still
//! done; the report says which); 2 bad usage, configuration or file, or refused credentials;
//! 3 the file was refused whole (`--strict` with invalid rows, `--prune` over the removal
//! limit), nothing sent; 130 interrupted by Ctrl-C.
//!
//! One module per command (`commands/`); output goes through [`out::Out`]: a reader that
//! leaves (`roster users list | head -1`) stops the printing, never the work in flight or the
//! report.

mod commands;
mod context;
mod logging;
mod out;
mod report;
mod tally;
mod team;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser as _};
use clap::{CommandFactory as _, Parser, Subcommand};
use roster::Vendor;
use roster::vectera::types::AccessLevel;

use commands::plan::PlanArgs;
use commands::provision::ProvisionArgs;
use commands::remove::RemoveArgs;
use commands::users::UsersListArgs;
use commands::vectera::{LoginLinkArgs, RoomsCreateArgs};
use context::Context;
use out::{Failure, warn};

/// Provision people into Vectera, Vyte and VEO.
#[derive(Debug, Parser)]
#[command(name = "roster", version, about, long_about = None)]
#[command(after_help = "\
Credentials: ROSTER_VECTERA_TOKEN, ROSTER_VYTE_TOKEN, ROSTER_VEO_TOKEN (and optionally
ROSTER_<VENDOR>_BASE_URL); VEO also signs in by itself, renewing its token, with
ROSTER_VEO_USERNAME, ROSTER_VEO_PASSWORD, ROSTER_VEO_CLIENT_ID (ROSTER_VEO_TOKEN_URL for UAT)
instead of ROSTER_VEO_TOKEN. Or --sandbox to use the built-in fake vendors.

Exit codes: 0 done, 1 some member failed in some vendor, 2 bad usage/configuration/file
(nothing sent) or a vendor refused the credentials (named with the variable to check),
3 the file was refused (--strict, or --prune over --max-removals; nothing sent),
130 interrupted.

Ctrl-C during `provision`: no new member is started, the calls in flight finish, the report
gets its summary line, exit code 130. A second Ctrl-C stops at once (the report then holds
every outcome so far, and no summary line).

Diagnostics: -v (info), -vv (debug) or RUST_LOG=roster=debug show retries, waits and
fallbacks on standard error (never a secret).")]
struct Cli {
    /// Run against the built-in sandbox (fakes of all three vendors on 127.0.0.1) instead of
    /// the real vendors; no credentials needed. Its state is kept between commands.
    #[arg(long, global = true)]
    sandbox: bool,

    /// Where `--sandbox` keeps its state (default: $ROSTER_SANDBOX_DIR, else .roster/sandbox).
    #[arg(long, global = true, value_name = "DIR")]
    sandbox_dir: Option<PathBuf>,

    /// Show diagnostics on standard error: -v info, -vv debug (RUST_LOG overrides).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show what `provision` would change — per vendor and member: create, update (fields
    /// old -> new), unchanged, and who is not in the file — with look-ups only.
    Plan(PlanArgs),
    /// Create or update every member of a team CSV in the vendors, and with --prune offboard
    /// those the file does not name (idempotent: a second run changes nothing).
    Provision(ProvisionArgs),
    /// Offboard leavers: Vectera delete, Vyte unlink, VEO deactivate.
    Remove(RemoveArgs),
    /// Users as the vendors list them.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Print a one-time Vectera login link for a member.
    LoginLink(LoginLinkArgs),
    /// Vectera meeting rooms.
    #[command(subcommand)]
    Rooms(RoomsCommand),
    /// The built-in sandbox's kept state.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// List the users of every configured vendor (or --vendor), walking every page.
    List(UsersListArgs),
}

#[derive(Debug, Subcommand)]
enum RoomsCommand {
    /// Create a meeting room owned by a member, with an access key; prints its URL.
    Create(RoomsCreateArgs),
}

#[derive(Debug, Subcommand)]
enum SandboxCommand {
    /// Forget everything the sandbox kept (its state files).
    Reset,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init(cli.verbose);
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
                for line in failure.message.lines() {
                    warn(&format!("roster: {line}"));
                }
            }
            ExitCode::from(failure.code)
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    // Commands that reach no vendor.
    match cli.command {
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "roster", &mut std::io::stdout());
            return Ok(());
        }
        Command::Sandbox(SandboxCommand::Reset) => {
            return commands::sandbox::reset(cli.sandbox_dir);
        }
        _ => {}
    }
    // The command line as typed, for the report (redacted there).
    let command_line = std::env::args().collect::<Vec<_>>().join(" ");
    let ctx = Context::new(cli.sandbox, cli.sandbox_dir).await?;
    match cli.command {
        Command::Plan(args) => commands::plan::run(&ctx, args).await,
        Command::Provision(args) => commands::provision::run(&ctx, args, command_line).await,
        Command::Remove(args) => commands::remove::run(&ctx, args).await,
        Command::Users(UsersCommand::List(args)) => commands::users::run(&ctx, args).await,
        Command::LoginLink(args) => commands::vectera::login_link(&ctx, args).await,
        Command::Rooms(RoomsCommand::Create(args)) => {
            commands::vectera::rooms_create(&ctx, args).await
        }
        Command::Completions { .. } | Command::Sandbox(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(args.team.vendors, Vendor::ALL);
        let cli = Cli::try_parse_from(["roster", "provision", "t.csv", "--vendors", "veo,vyte"])
            .expect("parses");
        let Command::Provision(args) = cli.command else {
            panic!("provision expected")
        };
        assert_eq!(args.team.vendors, [Vendor::Veo, Vendor::Vyte]);
        assert_eq!(
            args.team.vendors(),
            [Vendor::Vyte, Vendor::Veo],
            "Roster's order"
        );
        assert!(
            Cli::try_parse_from(["roster", "provision", "t.csv", "--vendors", "zoom"]).is_err()
        );
    }

    #[test]
    fn the_removal_limit_defaults_to_a_tenth_of_the_team() {
        let args = |extra: &[&str]| {
            let mut argv = vec!["roster", "plan", "t.csv", "--prune"];
            argv.extend_from_slice(extra);
            let Command::Plan(args) = Cli::try_parse_from(argv).expect("parses").command else {
                panic!("plan expected")
            };
            args.team
        };
        assert_eq!(args(&[]).removal_limit(10), 1);
        assert_eq!(args(&[]).removal_limit(5), 1);
        assert_eq!(args(&[]).removal_limit(250), 25);
        assert_eq!(args(&["--max-removals", "0"]).removal_limit(250), 0);
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
    fn users_list_takes_any_vendors_or_none() {
        let cli = Cli::try_parse_from(["roster", "users", "list"]).expect("parses");
        let Command::Users(UsersCommand::List(args)) = cli.command else {
            panic!("users list expected")
        };
        assert!(args.vendor.is_empty(), "every configured vendor");
        for vendor in Vendor::ALL {
            let cli = Cli::try_parse_from(["roster", "users", "list", "--vendor", vendor.name()])
                .expect("parses");
            let Command::Users(UsersCommand::List(args)) = cli.command else {
                panic!("users list expected")
            };
            assert_eq!(args.vendor, [vendor]);
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

    #[test]
    fn dry_run_is_a_plan() {
        let cli =
            Cli::try_parse_from(["roster", "provision", "t.csv", "--dry-run"]).expect("parses");
        let Command::Provision(args) = cli.command else {
            panic!("provision expected")
        };
        assert!(args.dry_run);
    }
}
