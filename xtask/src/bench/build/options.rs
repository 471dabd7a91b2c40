//! The options of `cargo xtask bench build`: which parts, which vendors, how many runs.

use super::EDITED_VENDOR;

/// One part of the benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Cold build of each vendor crate alone.
    Vendors,
    /// Cold build of the facade with all features (the whole workspace's client stack).
    Facade,
    /// Incremental rebuild after a one-line spec edit.
    Rebuild,
}

/// The options of `cargo xtask bench build`.
#[derive(Debug, PartialEq, Eq)]
pub struct BuildOptions {
    /// What to measure, in this order.
    pub parts: Vec<Part>,
    /// Vendors for [`Part::Vendors`]; empty means all.
    pub vendors: Vec<String>,
    /// Cold builds per case (median reported).
    pub runs: usize,
    /// Rebuilds per case (median reported).
    pub rebuild_runs: usize,
    /// `--config KEY=VAL` for every cargo call.
    pub configs: Vec<String>,
    /// Rebuild only the edited vendor crate, not the facade.
    pub quick: bool,
}

impl BuildOptions {
    /// Parses the arguments after `bench build`; `Ok(None)` asks for help.
    ///
    /// # Errors
    /// A usage message for an unknown option, a missing or bad value.
    pub fn parse(args: &[String]) -> Result<Option<Self>, String> {
        let mut options = BuildOptions {
            parts: Vec::new(),
            vendors: Vec::new(),
            runs: 1,
            rebuild_runs: 3,
            configs: Vec::new(),
            quick: false,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |name: &str| {
                args.next()
                    .cloned()
                    .ok_or_else(|| format!("`{name}` needs a value"))
            };
            let count = |name: &str, text: String| match text.parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!("`{name}` takes a positive number, got `{text}`")),
            };
            match arg.as_str() {
                "--help" | "-h" => return Ok(None),
                "--quick" => options.quick = true,
                "--part" => {
                    let part = match value("--part")?.as_str() {
                        "vendors" => Part::Vendors,
                        "facade" => Part::Facade,
                        "rebuild" => Part::Rebuild,
                        other => {
                            return Err(format!(
                                "unknown part `{other}`: vendors, facade or rebuild"
                            ));
                        }
                    };
                    if !options.parts.contains(&part) {
                        options.parts.push(part);
                    }
                }
                "--vendor" => options.vendors.push(value("--vendor")?),
                "--runs" => options.runs = count("--runs", value("--runs")?)?,
                "--rebuild-runs" => {
                    options.rebuild_runs = count("--rebuild-runs", value("--rebuild-runs")?)?;
                }
                "--config" => {
                    let kv = value("--config")?;
                    if !kv.contains('=') {
                        return Err(format!("`--config` takes KEY=VALUE, got `{kv}`"));
                    }
                    options.configs.push(kv);
                }
                other => return Err(format!("unknown option `{other}` for `bench build`")),
            }
        }
        if options.quick {
            for part in [Part::Vendors, Part::Rebuild] {
                if !options.parts.contains(&part) {
                    options.parts.push(part);
                }
            }
            if options.vendors.is_empty() {
                options.vendors.push(EDITED_VENDOR.to_owned());
            }
            options.runs = 1;
            options.rebuild_runs = 1;
        }
        if options.parts.is_empty() {
            options.parts = vec![Part::Vendors, Part::Facade, Part::Rebuild];
        }
        Ok(Some(options))
    }
}
