//! `tumorscope render PATH`: one PNG of one patient — a slice of any plane, a montage or a MIP,
//! windowed, with structure overlays, orientation letters and legend.

use std::path::PathBuf;

use tumorscope_core::{PointMm, Window};
use tumorscope_render::{
    encode_png, render_mip, render_montage, render_slice, resolve_overlays, slice_at_mm, Plane,
    RenderOptions, SliceRequest,
};
use tumorscope_sources::{load_exam, LoadOptions};

use super::inputs::{pick_exam, InputArgs};
use super::scan::scan_inputs;
use crate::ui::{check_output_file, report_skipped, write_atomic, Ui};
use crate::ui::{errln, outln};
use crate::Outcome;

/// Draw one image of one patient (slice, montage or MIP) as PNG.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Which patient, when the path holds several.
    #[arg(long)]
    pub patient: Option<String>,
    /// Plane of the image.
    #[arg(long, value_enum, default_value_t = PlaneArg::Axial)]
    pub plane: PlaneArg,
    /// Slice index on the plane's axis of the loaded volume (axial k, coronal j, sagittal i);
    /// default: the middle slice.
    #[arg(long, conflicts_with = "at_mm")]
    pub slice: Option<usize>,
    /// The slice through this LPS point, `x,y,z` in mm.
    #[arg(long, value_name = "X,Y,Z", allow_hyphen_values = true)]
    pub at_mm: Option<PointMm>,
    /// Window preset (liver, abdomen, lung, bone, brain …) or `WIDTH/LEVEL`.
    #[arg(long, default_value = "abdomen", allow_hyphen_values = true)]
    pub window: Window,
    /// Overlays: `liver,tumors,portalvein`; each item may add `:fill`/`:outline`, an opacity
    /// (`0.3`) or a colour (`#ff0000`); `tumors` = every tumor structure, `all` = every mask.
    #[arg(long, default_value = "")]
    pub overlay: String,
    /// A lightbox of N slices instead of one.
    #[arg(long, value_name = "N", conflicts_with_all = ["mip", "slice", "at_mm"])]
    pub montage: Option<usize>,
    /// Maximum intensity projection along the plane's normal.
    #[arg(long, conflicts_with_all = ["slice", "at_mm"])]
    pub mip: bool,
    /// Output pixels per smallest voxel spacing.
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// No orientation letters, legend or caption.
    #[arg(long)]
    pub no_annotations: bool,
    /// Output PNG.
    #[arg(long, short)]
    pub out: PathBuf,
}

/// `--plane` values, listed in `--help` (the library's `Plane` also reads `ax`, `cor`, `sag`).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PlaneArg {
    #[value(alias = "ax")]
    Axial,
    #[value(alias = "cor")]
    Coronal,
    #[value(alias = "sag")]
    Sagittal,
}

impl From<PlaneArg> for Plane {
    fn from(p: PlaneArg) -> Plane {
        match p {
            PlaneArg::Axial => Plane::Axial,
            PlaneArg::Coronal => Plane::Coronal,
            PlaneArg::Sagittal => Plane::Sagittal,
        }
    }
}

pub fn execute(args: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    let plane = Plane::from(args.plane);
    let is_png = args
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    if !is_png {
        anyhow::bail!(
            "`{}`: render writes PNG images only\nhint: name the output `.png`",
            args.out.display()
        );
    }
    args.inputs.walk_options()?;
    check_output_file(&args.out)?;
    let dataset = scan_inputs(&args.inputs, ui)?;
    let exam = pick_exam(&dataset, args.patient.as_deref())?;
    let options = LoadOptions {
        walk: args.inputs.walk_options()?,
    };
    let loaded = load_exam(&dataset, &exam, &options)?;
    let image = &loaded.image;
    let opts = RenderOptions {
        window: args.window,
        overlays: resolve_overlays(image, &args.overlay)?,
        annotations: !args.no_annotations,
        scale: args.scale,
    };
    let rgb = if let Some(n) = args.montage {
        render_montage(image, plane, n, None, &opts)?
    } else if args.mip {
        render_mip(image, plane, &opts)?
    } else {
        let index = match (&args.slice, &args.at_mm) {
            (Some(i), _) => *i,
            (None, Some(xyz)) => slice_at_mm(&image.ct.geometry, plane, xyz.0)?,
            (None, None) => plane.slice_count(&image.ct.geometry) / 2,
        };
        render_slice(image, SliceRequest { plane, index }, &opts)?
    };
    let png = encode_png(&rgb)?;
    write_atomic(&args.out, &png)?;
    outln!(
        "{}: {}×{} {} image written to `{}`",
        exam.label,
        rgb.width,
        rgb.height,
        plane,
        args.out.display()
    );
    for w in &loaded.warnings {
        errln!("warning: {w}");
    }
    let mut skipped = dataset.skipped.clone();
    skipped.extend(loaded.skipped);
    report_skipped(&skipped);
    Ok(Outcome::of(&skipped))
}
