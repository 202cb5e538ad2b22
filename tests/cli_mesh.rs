//! `export --mesh`: every structure's surface as binary STL and glTF binary. Checked here: every
//! edge in exactly two triangles (once each way), enclosed volumes against the masks', LPS and
//! RAS, the glTF container and its colours; and read back by an independent reader (trimesh:
//! watertight, same volume in both files). On 3D-IRCADb 1.17 the liver's STL encloses the liver
//! mask's volume within 3 %.

mod util;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use tumorscope_core::{structure_colors, StructureRole};
use tumorscope_phantom::PhantomOptions;
use util::{first_patient, python_has, real_patient, Dir};

/// The triangles of a binary STL: the header and each triangle's three corners.
fn read_stl(path: &Path) -> (String, Vec<[[f32; 3]; 3]>) {
    let bytes = std::fs::read(path).unwrap();
    let header = String::from_utf8_lossy(&bytes[..80]).trim_end().to_owned();
    let count = u32::from_le_bytes(bytes[80..84].try_into().unwrap()) as usize;
    assert_eq!(bytes.len(), 84 + 50 * count, "{}", path.display());
    let f = |at: usize| f32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    let triangles = (0..count)
        .map(|t| {
            let base = 84 + 50 * t + 12;
            std::array::from_fn(|v| std::array::from_fn(|a| f(base + 12 * v + 4 * a)))
        })
        .collect();
    (header, triangles)
}

/// Closed and consistently oriented: every directed edge once, its reverse once.
fn assert_closed(triangles: &[[[f32; 3]; 3]], what: &str) {
    let key = |p: [f32; 3]| p.map(f32::to_bits);
    let mut edges: HashMap<([u32; 3], [u32; 3]), usize> = HashMap::new();
    for t in triangles {
        for (a, b) in [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])] {
            *edges.entry((key(a), key(b))).or_insert(0) += 1;
        }
    }
    for (&(a, b), &n) in &edges {
        assert_eq!(n, 1, "{what}: an edge in {n} triangles the same way");
        assert_eq!(
            edges.get(&(b, a)),
            Some(&1),
            "{what}: an edge without its twin"
        );
    }
}

/// Enclosed volume in mL of the oriented triangles.
fn volume_ml(triangles: &[[[f32; 3]; 3]]) -> f64 {
    let mut v6 = 0.0;
    for t in triangles {
        let [a, b, c] = t.map(|p| p.map(f64::from));
        v6 += a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
            + a[2] * (b[0] * c[1] - b[1] * c[0]);
    }
    v6 / 6.0 / 1000.0
}

/// The JSON chunk of a glTF binary, after checking its container.
fn glb_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..4], b"glTF");
    let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    assert_eq!(word(4), 2, "glTF version");
    assert_eq!(word(8), bytes.len(), "declared length");
    let json_len = word(12);
    assert_eq!(&bytes[16..20], b"JSON");
    assert_eq!(json_len % 4, 0);
    let bin_at = 20 + json_len;
    assert_eq!(&bytes[bin_at + 4..bin_at + 8], b"BIN\0");
    let json: Value = serde_json::from_slice(&bytes[20..bin_at]).unwrap();
    assert_eq!(
        json["buffers"][0]["byteLength"].as_u64().unwrap() as usize % 4,
        0
    );
    assert!(word(bin_at) >= json["buffers"][0]["byteLength"].as_u64().unwrap() as usize);
    json
}

fn linear(c: u8) -> f64 {
    let c = f64::from(c) / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

#[test]
fn meshes_are_closed_enclose_the_masks_and_read_back() {
    let dir = Dir::new();
    dir.cohort(
        "c",
        PhantomOptions {
            patients: 1,
            dims: [96, 96, 40],
            ..PhantomOptions::default()
        },
        false,
    );
    dir.run(&["export", "c", "--mesh", "lps"]).expect_code(0);
    dir.run(&["export", "c", "--mesh", "ras", "--mesh-coords", "ras"])
        .expect_code(0);
    dir.analyze("c", "report");
    let patient = first_patient(dir.path(), "report");
    let label = patient["patient"].as_str().unwrap();
    let organs = patient["organs"].as_array().unwrap();
    let roles: Vec<(String, StructureRole)> = organs
        .iter()
        .map(|o| {
            (
                o["name"].as_str().unwrap().to_owned(),
                serde_json::from_value(o["role"].clone()).unwrap(),
            )
        })
        .collect();
    let colors = structure_colors(roles.iter().map(|(n, r)| (n.as_str(), *r)));
    let out = dir.path().join("lps").join(label);
    let mut written = 0;
    for (o, rgb) in organs.iter().zip(&colors) {
        let name = o["name"].as_str().unwrap();
        let stl = out.join(format!("{name}.stl"));
        if o["voxels"].as_u64() == Some(0) {
            assert!(!stl.exists(), "{name}: empty structure, no file");
            continue;
        }
        written += 1;
        let (header, triangles) = read_stl(&stl);
        assert!(
            header.contains("SPACE=LPS") && header.contains(name),
            "{header}"
        );
        assert_closed(&triangles, name);
        // The surface runs halfway between inside and outside voxel centres: inside the voxels'
        // volume, and close to it for anything but a few voxels.
        let mask_ml = o["volume_ml"].as_f64().unwrap();
        let mesh_ml = volume_ml(&triangles);
        assert!(
            mesh_ml > 0.0 && mesh_ml <= mask_ml * 1.001,
            "{name}: {mesh_ml} vs {mask_ml}"
        );
        if o["voxels"].as_u64().unwrap() > 20_000 {
            assert!(
                (mesh_ml - mask_ml).abs() < 0.03 * mask_ml,
                "{name}: {mesh_ml} vs {mask_ml}"
            );
        }
        // RAS: x and y negated, the same triangles in the same order.
        let (ras_header, ras) = read_stl(
            &dir.path()
                .join("ras")
                .join(label)
                .join(format!("{name}.stl")),
        );
        assert!(ras_header.contains("SPACE=RAS"), "{ras_header}");
        assert_eq!(ras.len(), triangles.len());
        for (l, r) in triangles.iter().zip(&ras) {
            for (p, q) in l.iter().zip(r) {
                assert_eq!([-p[0], -p[1], p[2]], *q);
            }
        }
        // glTF: one mesh of the same size, the structure's colour as glTF's linear factor.
        let json = glb_json(&out.join(format!("{name}.glb")));
        let accessors = json["accessors"].as_array().unwrap();
        assert_eq!(
            accessors[2]["count"].as_u64().unwrap() as usize,
            3 * triangles.len(),
            "{name}"
        );
        let factor = &json["materials"][0]["pbrMetallicRoughness"]["baseColorFactor"];
        for (a, &c) in rgb.iter().enumerate() {
            assert!(
                (factor[a].as_f64().unwrap() - linear(c)).abs() < 1e-9,
                "{name}: {factor}"
            );
        }
    }
    assert!(written >= 3, "{written} structure(s) written");
    let scene = glb_json(&out.join("all.glb"));
    assert_eq!(scene["nodes"].as_array().unwrap().len(), written);

    // An independent reader: trimesh loads both formats, finds them watertight with the same
    // volume (glTF in metres), and the scene with every structure.
    if python_has("trimesh, numpy") {
        let script = r#"
import sys, trimesh
out = sys.argv[1]
names = sys.argv[2:]
for name in names:
    stl = trimesh.load(f"{out}/{name}.stl")
    glb = trimesh.load(f"{out}/{name}.glb", force="mesh")
    assert stl.is_watertight and stl.is_winding_consistent, name
    assert glb.is_watertight, name
    assert stl.volume > 0 and glb.volume > 0, name
    assert abs(glb.volume * 1e9 - stl.volume) <= 1e-4 * stl.volume, (name, glb.volume, stl.volume)
scene = trimesh.load(f"{out}/all.glb")
assert len(scene.geometry) == len(names), scene.geometry.keys()
print("ok", len(names))
"#;
        let names: Vec<&str> = organs
            .iter()
            .filter(|o| o["voxels"].as_u64() != Some(0))
            .map(|o| o["name"].as_str().unwrap())
            .collect();
        let run = Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(&out)
            .args(&names)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
    }
}

#[test]
fn the_real_livers_surface_encloses_its_mask_volume() {
    let Some(patient) = real_patient() else {
        return;
    };
    let dir = Dir::new();
    let input = patient.to_str().unwrap();
    dir.run(&["export", input, "--mesh", "m"]).expect_code(0);
    dir.analyze(input, "report");
    let stats = first_patient(dir.path(), "report");
    let liver = stats["organs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "liver")
        .unwrap();
    let (_, triangles) = read_stl(&dir.path().join("m/3Dircadb1.17/liver.stl"));
    assert_closed(&triangles, "liver");
    let (mesh, mask) = (volume_ml(&triangles), liver["volume_ml"].as_f64().unwrap());
    eprintln!(
        "1.17 liver: {} triangles, {mesh:.3} mL enclosed, mask {mask:.3} mL",
        triangles.len()
    );
    assert!((mesh - mask).abs() < 0.03 * mask, "{mesh} vs {mask}");
}
