use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = eventless::cli::Cli::parse();
    match eventless::commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("eventless: error: {e:#}");
            ExitCode::from(eventless::commands::EXIT_ERROR)
        }
    }
}
