//! `roster-sandbox`: the three vendor fakes as a standalone process (for schemathesis, for
//! benchmarks that measure the client alone, and for trying the CLI against a long-lived fake).

use std::path::PathBuf;

use roster::Vendor;
use roster_sandbox::{Dialect, Ports, Sandbox};

const USAGE: &str = "\
Usage: roster-sandbox [--port-vectera N] [--port-vyte N] [--port-veo N] [--dialect D]
                      [--state DIR]

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
                         text-errors (HTML or text error bodies)";

/// What the command line asks for.
struct Args {
    ports: Ports,
    dialect: Dialect,
    state: Option<PathBuf>,
}

fn parse() -> Result<Args, String> {
    let mut ports = Ports::default();
    let mut dialect = Dialect::DOCUMENTED;
    let mut state = None;
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
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
        if arg == "--dialect" {
            let value = args
                .next()
                .and_then(|v| v.into_string().ok())
                .ok_or("--dialect needs a value")?;
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
        let slot = match arg.as_str() {
            "--port-vectera" => &mut ports.vectera,
            "--port-vyte" => &mut ports.vyte,
            "--port-veo" => &mut ports.veo,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        };
        let value = args.next().ok_or(format!("{arg} needs a port number"))?;
        let value = value.to_string_lossy();
        *slot = value
            .parse()
            .map_err(|_| format!("{arg}: `{value}` is not a port number (0-65535)"))?;
    }
    Ok(Args {
        ports,
        dialect,
        state,
    })
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let Args {
        ports,
        dialect,
        state,
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
    for (name, value) in sandbox.env() {
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
