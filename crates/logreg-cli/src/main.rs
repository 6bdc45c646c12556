//! `logreg`: the command-line tool.

mod args;
mod commands;
mod data;
mod figure;
mod interrupt;
mod model_file;
mod output;
mod progress;
mod report;
mod settings;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse(); // usage errors exit with 2 here
    interrupt::install();
    let result = logreg::simd::checked_level().map_err(anyhow::Error::from).and_then(|_| match cli.command {
        Command::Train(a) => commands::train::run(a),
        Command::Predict(a) => commands::predict::run(a),
        Command::Evaluate(a) => commands::evaluate::run(a),
        Command::Generate(a) => commands::generate::run(a),
        Command::Plot(a) => commands::plot::run(a),
        Command::Summary(a) => commands::summary::run(a),
        Command::Path(a) => commands::path::run(a),
        Command::Cv(a) => commands::cv::run(a),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is::<interrupt::Interrupted>() || interrupt::interrupted() => {
            eprintln!("error: {}", interrupt::Interrupted);
            ExitCode::from(130)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            let usage = matches!(e.downcast_ref::<logreg::Error>(), Some(logreg::Error::InvalidParameter { .. }));
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}
