//! `roster-sandbox`: the three vendor fakes as a standalone process (for schemathesis, for
//! benchmarks that measure the client alone, and for trying the CLI against a long-lived fake).

use std::path::PathBuf;
use std::time::Duration;

use roster::Vendor;
use roster_sandbox::{Dialect, Ports, Sandbox, TokenPolicy};

const USAGE: &str = "\
Usage: roster-sandbox [--port-vectera N] [--port-vyte N] [--port-veo N] [--dialect D]
                      [--state DIR] [--sign-in] [--token-lifetime SECONDS] [--token-uses N]

Serves fakes of the Vectera, Vyte and VEO user APIs on 127.0.0.1 until interrupted, and prints
the environment variables that point `roster` at them. Port 0 (the default) takes a free port.

--state DIR              remember the fakes' users, invites and meetings in DIR (created if
                         missing; `.roster/sandbox` is what `roster --sandbox` uses): loaded at
                         start, saved after every write. One process at a time may use DIR.
                         Without it, everything is kept in memory and forgotten at exit.

--dialect documented     answer in the vendors' documented shapes (the default)
--dialect alternatives   answer in every alternative shape the specs' tolerance policy allows
--dialect A,B,...        only these: lists-as-arrays (bare arrays with Link headers),
                         created-as-200, updates-empty (204), null-for-empty-lists,
                         text-errors (HTML or text error bodies)

--sign-in                print VEO's sign-in variables (ROSTER_VEO_USERNAME, _PASSWORD,
                         _CLIENT_ID, _TOKEN_URL) instead of ROSTER_VEO_TOKEN
--token-lifetime S       tokens from VEO's token server (POST /oauth2/token) expire after S
                         seconds (default 1209599, VEO's 14 days)
--token-uses N           ... or after answering N requests (default: no limit)";

/// What the command line asks for.
struct Options {
    ports: Ports,
    dialect: Dialect,
    state: Option<PathBuf>,
    sign_in: bool,
    tokens: TokenPolicy,
}

fn number<T: std::str::FromStr>(arg: &str, value: Option<String>) -> Result<T, String> {
    let value = value.ok_or(format!("{arg} needs a number"))?;
    value
        .parse()
        .map_err(|_| format!("{arg}: `{value}` is not a number"))
}

fn parse() -> Result<Options, String> {
    let mut ports = Ports::default();
    let mut dialect = Dialect::DOCUMENTED;
    let mut state = None;
    let mut sign_in = false;
    let mut tokens = TokenPolicy::default();
    let mut args = std::env::args_os().skip(1);
    let text = |args: &mut dyn Iterator<Item = std::ffi::OsString>| {
        args.next().and_then(|v| v.into_string().ok())
    };
    while let Some(arg) = args.next() {
        // A directory may be any path, not only UTF-8.
        if arg == "--state" {
            let dir = args.next().ok_or("--state needs a directory")?;
            if dir.is_empty() {
                return Err("--state needs a directory".to_owned());
            }
            state = Some(PathBuf::from(dir));
            continue;
        }
        let arg = arg
            .into_string()
            .map_err(|arg| format!("unknown argument `{}`", arg.to_string_lossy()))?;
        match arg.as_str() {
            "--sign-in" => {
                sign_in = true;
                continue;
            }
            "--token-lifetime" => {
                tokens.lifetime = Duration::from_secs(number(&arg, text(&mut args))?);
                continue;
            }
            "--token-uses" => {
                tokens.uses = Some(number(&arg, text(&mut args))?);
                continue;
            }
            "--dialect" => {
                let value = text(&mut args).ok_or("--dialect needs a value")?;
                dialect = Dialect::DOCUMENTED;
                for name in value.split(',') {
                    match name.trim() {
                        "documented" => {}
                        "alternatives" => dialect = Dialect::ALL_ALTERNATIVES,
                        "lists-as-arrays" => dialect.lists_as_arrays = true,
                        "created-as-200" => dialect.created_as_200 = true,
                        "updates-empty" => dialect.updates_empty = true,
                        "null-for-empty-lists" => dialect.null_for_empty_lists = true,
                        "text-errors" => dialect.text_errors = true,
                        other => return Err(format!("--dialect: unknown shape `{other}`")),
                    }
                }
                continue;
            }
            _ => {}
        }
        let slot = match arg.as_str() {
            "--port-vectera" => &mut ports.vectera,
            "--port-vyte" => &mut ports.vyte,
            "--port-veo" => &mut ports.veo,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        };
        let value = text(&mut args).ok_or(format!("{arg} needs a port number"))?;
        *slot = value
            .parse()
            .map_err(|_| format!("{arg}: `{value}` is not a port number (0-65535)"))?;
    }
    Ok(Options {
        ports,
        dialect,
        state,
        sign_in,
        tokens,
    })
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let Options {
        ports,
        dialect,
        state,
        sign_in,
        tokens,
    } = match parse() {
        Ok(parsed) => parsed,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return std::process::ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("roster-sandbox: {message}\n\n{USAGE}");
            return std::process::ExitCode::from(2);
        }
    };
    let builder = Sandbox::builder().ports(ports);
    let builder = match state {
        Some(dir) => builder.state_dir(dir),
        None => builder,
    };
    let sandbox = match builder.start().await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("roster-sandbox: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    for vendor in Vendor::ALL {
        sandbox.set_dialect(vendor, dialect);
    }
    sandbox.set_token_policy(tokens);
    let env = if sign_in {
        sandbox.env_with_sign_in()
    } else {
        sandbox.env()
    };
    for (name, value) in env {
        println!("export {name}={value}");
    }
    for vendor in Vendor::ALL {
        eprintln!("{vendor}: {}", sandbox.base_url(vendor));
    }
    match sandbox.state_dir() {
        Some(dir) => eprintln!("state: kept in {}", dir.display()),
        None => eprintln!("state: in memory, forgotten at exit"),
    }
    let _ = tokio::signal::ctrl_c().await;
    std::process::ExitCode::SUCCESS
}
