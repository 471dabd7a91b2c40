//! `roster-sandbox`: the three vendor fakes as a standalone process (for schemathesis, for
//! benchmarks that measure the client alone, and for trying the CLI against a long-lived fake).

use roster::Vendor;
use roster_sandbox::{Ports, Sandbox};

const USAGE: &str = "\
Usage: roster-sandbox [--port-vectera N] [--port-vyte N] [--port-veo N]

Serves fakes of the Vectera, Vyte and VEO user APIs on 127.0.0.1 until interrupted, and prints
the environment variables that point `roster` at them. Port 0 (the default) takes a free port.";

fn parse() -> Result<Ports, String> {
    let mut ports = Ports::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
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
    Ok(ports)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let ports = match parse() {
        Ok(ports) => ports,
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
    for (name, value) in sandbox.env() {
        println!("export {name}={value}");
    }
    for vendor in Vendor::ALL {
        eprintln!("{vendor}: {}", sandbox.base_url(vendor));
    }
    let _ = tokio::signal::ctrl_c().await;
    std::process::ExitCode::SUCCESS
}
