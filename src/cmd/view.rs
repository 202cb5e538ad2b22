//! `tumorscope view`: placeholder until the viewer lands (issue 5).

use crate::ui::Ui;
use crate::Outcome;

/// Start the interactive viewer (not built yet).
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn execute(_args: Args, _ui: &Ui) -> anyhow::Result<Outcome> {
    anyhow::bail!("the viewer is not built yet")
}
