//! iamlint finds mistakes and risky grants in AWS IAM policies wherever they live in a repository.
//!
//! The map. A file goes [`walk`] → [`syntax`] (text → spanned tree) → [`extract`] (tree →
//! policy documents) → [`policy`] (the model) → [`rules`] → [`diagnostic`] findings →
//! [`output`]. The two entry points: [`run`] lints the paths of a [`settings::Settings`] into an
//! [`Outcome`]; [`lint_text`] lints one file's text (tests, the language server, standard input).
//!
//! Modules use only modules of lower layers (bottom first; `tests/architecture.rs` checks it):
//!
//! | layer | modules |
//! |---|---|
//! | data | [`source`] (files, spans), [`iamdata`] (the AWS service reference) |
//! | plain findings, syntax | [`diagnostic`], [`syntax`] |
//! | model | [`policy`], [`fingerprint`] |
//! | documents | [`extract`] |
//! | rules | [`rules`], then [`custom`] (rules from `iamlint.toml`) |
//! | configuration | [`settings`] (plain options + `iamlint.toml`) |
//! | the walk | [`walk`], [`suppress`], then [`outcome`] |
//! | after the lint | [`baseline`], [`changed`], [`output`] |
//! | the driver | `run`, then [`fix`] and [`server`] |
//!
//! The binary (`main.rs`, with its command-line types in `cli.rs`) sits on top: it turns flags into
//! [`settings::Options`], as the language server does for an editor's document.

pub mod baseline;
pub mod changed;
pub mod custom;
pub mod diagnostic;
pub mod extract;
pub mod fingerprint;
pub mod fix;
pub mod iamdata;
pub mod outcome;
pub mod output;
pub mod policy;
pub mod rules;
mod run;
pub mod server;
pub mod settings;
pub mod source;
pub mod suppress;
pub mod syntax;
pub mod walk;

pub use outcome::Outcome;
pub use run::{Filters, apply_filters, lint_source, lint_text, run, run_bytes};

/// Where the project lives; rule doc links point into it.
pub const REPOSITORY: &str = "https://github.com/iamlint/iamlint";

/// `iamlint --version`: the tool's version and the date of the embedded AWS service reference,
/// read without decoding the reference.
pub fn version_line() -> &'static str {
    static LINE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    LINE.get_or_init(|| {
        format!(
            "{} (AWS service reference {}@{}, data of {})",
            env!("CARGO_PKG_VERSION"),
            iamdata::source_package(),
            iamdata::source_version(),
            iamdata::data_date()
        )
    })
}
