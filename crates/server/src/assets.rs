//! The viewer's static files, embedded in the binary; a folder on disk may replace them while
//! developing the page (`TUMORSCOPE_VIEWER_DIR`, read by [`crate::ServerOptions::default`]).

use std::path::Path;

/// One embedded file: URL name, content type and bytes.
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every file the page needs; nothing else is ever served from `/`.
pub const ASSETS: &[Asset] = &[
    Asset {
        name: "index.html",
        content_type: "text/html; charset=utf-8",
        bytes: include_bytes!("../viewer/index.html"),
    },
    Asset {
        name: "style.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../viewer/style.css"),
    },
    Asset {
        name: "viewer.js",
        content_type: JS,
        bytes: include_bytes!("../viewer/viewer.js"),
    },
    Asset {
        name: "render.js",
        content_type: JS,
        bytes: include_bytes!("../viewer/render.js"),
    },
    Asset {
        name: "draw.js",
        content_type: JS,
        bytes: include_bytes!("../viewer/draw.js"),
    },
    Asset {
        name: "views.js",
        content_type: JS,
        bytes: include_bytes!("../viewer/views.js"),
    },
    Asset {
        name: "panels.js",
        content_type: JS,
        bytes: include_bytes!("../viewer/panels.js"),
    },
    Asset {
        name: "measure.js",
        content_type: JS,
        bytes: include_bytes!("../viewer/measure.js"),
    },
    Asset {
        name: "view3d.js",
        content_type: JS,
        bytes: include_bytes!("../viewer/view3d.js"),
    },
];

/// The asset called `name` (exact match against the fixed list, so no path is ever built from
/// user input), read from `override_dir` when given and readable.
pub fn asset(name: &str, override_dir: Option<&Path>) -> Option<(&'static str, Vec<u8>)> {
    let a = ASSETS.iter().find(|a| a.name == name)?;
    if let Some(dir) = override_dir {
        if let Ok(bytes) = std::fs::read(dir.join(a.name)) {
            return Some((a.content_type, bytes));
        }
    }
    Some((a.content_type, a.bytes.to_vec()))
}
