//! Output formats, all rendered from the same sorted findings. Suppressed findings are left out of
//! every format except those that record suppressions (SARIF).

pub mod compact;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use crate::Outcome;
use crate::cli::Format;

/// Renders the outcome in `format`. `color` only affects the human view.
pub fn render(format: Format, outcome: &Outcome, color: bool) -> String {
    match format {
        Format::Human => human::render(outcome, color, None),
        Format::Compact => compact::render(outcome),
        Format::Json => json::render(outcome),
        Format::Github => github::render(outcome),
        Format::Sarif => sarif::render(outcome),
    }
}
