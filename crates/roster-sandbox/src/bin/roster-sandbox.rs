//! `roster-sandbox`: the three vendor fakes as a standalone process (for schemathesis, for
//! benchmarks that measure the client alone, and for trying the CLI against a long-lived fake).

use roster::Vendor;
use roster_sandbox::{Dialect, Ports, Sandbox};

const USAGE: &str = "\
Usage: roster-sandbox [--port-vectera N] [--port-vyte N] [--port-veo N] [--dialect D]

Serves fakes of the Vectera, Vyte and VEO user APIs on 127.0.0.1 until interrupted, and prints
the environment variables that point `roster` at them. Port 0 (the default) takes a free port.

--dialect documented     answer in the vendors' documented shapes (the default)
--dialect alternatives   answer in every alternative shape the specs' tolerance policy allows:
                         lists as bare arrays with Link headers, creates answered 200, updates
                         answered 204, empty lists as null, error bodies as HTML or text";

fn parse() -> Result<(Ports, Dialect), String> {
    let mut ports = Ports::default();
    let mut dialect = Dialect::DOCUMENTED;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--dialect" {
            dialect = match args.next().as_deref() {
                Some("documented") => Dialect::DOCUMENTED,
                Some("alternatives") => Dialect::ALL_ALTERNATIVES,
                _ => return Err("--dialect takes `documented` or `alternatives`".into()),
            };
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
        *slot = value
            .parse()
            .map_err(|_| format!("{arg}: `{value}` is not a port number (0-65535)"))?;
    }
    Ok((ports, dialect))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (ports, dialect) = match parse() {
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
    let sandbox = match Sandbox::start_on(ports).await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("roster-sandbox: cannot listen: {e}");
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
    let _ = tokio::signal::ctrl_c().await;
    std::process::ExitCode::SUCCESS
}
