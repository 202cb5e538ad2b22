//! From NRRD's `space`, `space directions`, `space origin` (or bare `spacings`) to a grid in
//! DICOM LPS millimetres.
//!
//! NRRD names its world space (`left-posterior-superior`, `right-anterior-superior` …) and
//! gives one direction vector per spatial axis, whose length is the spacing. Non-spatial axes
//! (`none` in `space directions`) are allowed only first: that is where 3D Slicer puts the
//! layers of a segmentation and where vector images keep their components.

use std::path::Path;

use tumorscope_core::Geometry;

use crate::header::Fields;
use crate::NrrdError;

/// The spatial grid and the number of values per voxel (the leading non-spatial axis' size).
pub(crate) fn grid_of(
    path: &Path,
    fields: &Fields,
    sizes: &[usize],
    notes: &mut Vec<String>,
) -> Result<(Geometry, usize), NrrdError> {
    let bad = |reason: String| NrrdError::BadGeometry {
        path: path.to_path_buf(),
        reason,
    };
    let sign = space_sign(path, fields, notes)?;
    // One entry per axis: `Some(vector)` for a spatial axis, `None` for a non-spatial one.
    let axes: Vec<Option<[f64; 3]>> = match fields.get("spacedirections") {
        Some(text) => {
            let vectors =
                parse_directions(text).ok_or_else(|| bad(format!("space directions `{text}`")))?;
            if vectors.len() != sizes.len() {
                return Err(bad(format!(
                    "{} space directions for {} axes",
                    vectors.len(),
                    sizes.len()
                )));
            }
            vectors
        }
        None => {
            // Without a world space: axis-aligned, spacing from `spacings` (NaN marks a
            // non-spatial axis), 1 mm when absent.
            let spacings: Vec<f64> = match fields.get("spacings") {
                Some(text) => text
                    .split_whitespace()
                    .map(|s| s.parse::<f64>().unwrap_or(f64::NAN))
                    .collect(),
                None => {
                    notes.push("no `space directions` or `spacings`: 1 mm voxels assumed".into());
                    vec![1.0; sizes.len()]
                }
            };
            if spacings.len() != sizes.len() {
                return Err(bad(format!(
                    "{} spacings for {} axes",
                    spacings.len(),
                    sizes.len()
                )));
            }
            // More than three spatial axes are refused below, so only three need a component.
            let mut n = 0;
            spacings
                .iter()
                .map(|s| {
                    s.is_finite().then(|| {
                        let mut v = [0.0; 3];
                        if n < 3 {
                            v[n] = *s;
                        }
                        n += 1;
                        v
                    })
                })
                .collect()
        }
    };
    let spatial: Vec<usize> = (0..axes.len()).filter(|&a| axes[a].is_some()).collect();
    if spatial.len() != 3 {
        return Err(NrrdError::Unsupported {
            path: path.to_path_buf(),
            what: format!(
                "{} spatial axes (a 3-d volume is read, sizes `{sizes:?}`)",
                spatial.len()
            ),
        });
    }
    // Non-spatial axes of size 1 are no axes at all; one larger one must come first.
    let mut layers = 1;
    for (a, axis) in axes.iter().enumerate() {
        if axis.is_none() && sizes[a] > 1 {
            if a != 0 || layers != 1 {
                return Err(NrrdError::Unsupported {
                    path: path.to_path_buf(),
                    what: format!(
                        "non-spatial axis {a} of size {} (only a first axis of values per voxel is read)",
                        sizes[a]
                    ),
                });
            }
            layers = sizes[a];
        }
    }
    if spatial.windows(2).any(|w| w[1] != w[0] + 1) {
        return Err(NrrdError::Unsupported {
            path: path.to_path_buf(),
            what: "a non-spatial axis between spatial axes".to_owned(),
        });
    }

    let mut direction = [[0.0; 3]; 3];
    let mut spacing_mm = [0.0; 3];
    let mut dims = [0; 3];
    for (n, &a) in spatial.iter().enumerate() {
        let v = axes[a].unwrap_or_default();
        let v = [v[0] * sign[0], v[1] * sign[1], v[2] * sign[2]];
        let length = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
        if !(length.is_finite() && length > 0.0) {
            return Err(bad(format!("axis {a} has direction `{v:?}`")));
        }
        spacing_mm[n] = length;
        direction[n] = [v[0] / length, v[1] / length, v[2] / length];
        dims[n] = sizes[a];
    }
    let origin_mm = match fields.get("spaceorigin") {
        Some(text) => {
            let o =
                parse_vector(text.trim()).ok_or_else(|| bad(format!("space origin `{text}`")))?;
            [o[0] * sign[0], o[1] * sign[1], o[2] * sign[2]]
        }
        None => [0.0; 3],
    };
    if origin_mm.iter().any(|v| !v.is_finite()) {
        return Err(bad(format!("space origin `{origin_mm:?}`")));
    }
    let geometry = Geometry::new(dims, spacing_mm, origin_mm, direction)
        .map_err(|e| bad(format!("{e} (sheared grids are not read)")))?;
    Ok((geometry, layers))
}

/// Factors turning the file's space into LPS, per axis.
fn space_sign(
    path: &Path,
    fields: &Fields,
    notes: &mut Vec<String>,
) -> Result<[f64; 3], NrrdError> {
    let Some(space) = fields.get("space") else {
        if fields.get("spacedirections").is_some() {
            notes.push("no named `space`: left-posterior-superior (DICOM) assumed".to_owned());
        }
        return Ok([1.0; 3]);
    };
    Ok(match space.to_ascii_lowercase().as_str() {
        "left-posterior-superior" | "lps" => [1.0, 1.0, 1.0],
        "right-anterior-superior" | "ras" => [-1.0, -1.0, 1.0],
        "left-anterior-superior" | "las" => [1.0, -1.0, 1.0],
        "scanner-xyz" => {
            notes.push("space `scanner-xyz` read as left-posterior-superior (DICOM)".to_owned());
            [1.0, 1.0, 1.0]
        }
        other => {
            return Err(NrrdError::Unsupported {
                path: path.to_path_buf(),
                what: format!("space `{other}` (a patient space is needed: LPS, RAS or LAS)"),
            })
        }
    })
}

/// `(a,b,c) none (d,e,f)` → one entry per axis.
fn parse_directions(text: &str) -> Option<Vec<Option<[f64; 3]>>> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("none") {
            out.push(None);
            rest = after.trim_start();
        } else if rest.starts_with('(') {
            let end = rest.find(')')?;
            out.push(Some(parse_vector(&rest[..=end])?));
            rest = rest[end + 1..].trim_start();
        } else {
            return None;
        }
    }
    Some(out)
}

/// `(a, b, c)` → `[a, b, c]`.
fn parse_vector(text: &str) -> Option<[f64; 3]> {
    let inner = text.strip_prefix('(')?.strip_suffix(')')?;
    let values: Vec<f64> = inner
        .split(',')
        .map(|s| s.trim().parse::<f64>().ok())
        .collect::<Option<_>>()?;
    <[f64; 3]>::try_from(values).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::parse_header;

    fn header(fields: &str) -> Result<crate::NrrdHeader, NrrdError> {
        let text = format!("NRRD0004\ntype: uint8\nencoding: raw\n{fields}\n");
        parse_header(Path::new("x.nrrd"), &text, Some(0))
    }

    #[test]
    fn ras_turns_into_lps() {
        let h = header(
            "dimension: 3\nsizes: 2 3 4\nspace: RAS\nspace directions: (-0.5,0,0) (0,-0.5,0) (0,0,2)\nspace origin: (10,20,30)",
        )
        .unwrap();
        assert_eq!(h.geometry.origin_mm, [-10.0, -20.0, 30.0]);
        assert_eq!(
            h.geometry.direction,
            [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
        );
        assert_eq!(h.geometry.spacing_mm, [0.5, 0.5, 2.0]);
    }

    #[test]
    fn slicer_layers_come_first() {
        let h = header(
            "dimension: 4\nsizes: 3 2 2 2\nspace: left-posterior-superior\nkinds: list domain domain domain\nspace directions: none (0,1,0) (0,0,-1) (-1.3,0,0)\nspace origin: (1,2,3)",
        )
        .unwrap();
        assert_eq!(h.layers, 3);
        assert_eq!(h.geometry.dims, [2, 2, 2]);
        assert_eq!(h.geometry.direction[2], [-1.0, 0.0, 0.0]);
        assert!((h.geometry.spacing_mm[2] - 1.3).abs() < 1e-12);
    }

    #[test]
    fn spacings_without_space() {
        let h = header("dimension: 4\nsizes: 1 2 3 4\nspacings: nan 0.5 0.5 3").unwrap();
        assert_eq!(h.layers, 1);
        assert_eq!(h.geometry.dims, [2, 3, 4]);
        assert_eq!(h.geometry.spacing_mm, [0.5, 0.5, 3.0]);
    }

    #[test]
    fn unusable_grids_are_refused() {
        let cases = [
            ("dimension: 3\nsizes: 2 2 2\nspace: RAS\nspace directions: (1,0,0) (1,1,0) (0,0,1)", "sheared"),
            ("dimension: 3\nsizes: 2 2 2\nspace: RAS\nspace directions: (1,0,0) (0,1,0)", "2 space directions"),
            ("dimension: 3\nsizes: 2 2 2\nspace: RAS\nspace directions: (1,0,0) (0,1,0) (0,0,0)", "direction"),
            ("dimension: 2\nsizes: 2 2\nspace: RAS\nspace directions: (1,0,0) (0,1,0)", "2 spatial axes"),
            ("dimension: 4\nsizes: 2 2 2 3\nspace: RAS\nspace directions: (1,0,0) (0,1,0) (0,0,1) none", "non-spatial axis 3"),
            ("dimension: 3\nsizes: 2 2 2\nspace: 3D-right-handed\nspace directions: (1,0,0) (0,1,0) (0,0,1)", "patient space"),
            ("dimension: 3\nsizes: 2 2 2\nspace: LPS\nspace directions: (1,0,0) (0,1,0) (0,0,1)\nspace origin: (1,2)", "space origin"),
        ];
        for (fields, want) in cases {
            let e = header(fields).unwrap_err().to_string();
            assert!(e.contains(want), "{fields}: {e}");
        }
    }
}
