//! glTF 2.0 binary (`.glb`): one node per structure, each a mesh with positions, normals,
//! 32-bit indices and a material of the structure's colour, in one binary buffer. glTF's frame
//! is fixed by its specification: metres, +Y up, +Z toward the viewer, right-handed; a patient
//! lying as seen from the front maps to X = left, Y = superior, Z = anterior, so Blender and
//! web viewers show the patient upright and facing them (their import turns +Y up into their
//! own up axis).

use serde_json::json;

use crate::Mesh;

/// One structure of a scene.
pub struct GlbItem<'a> {
    pub name: &'a str,
    pub mesh: &'a Mesh,
    /// sRGB colour, as the palette gives it.
    pub rgb: [u8; 3],
    /// 1 for opaque; less is blended (a liver around its tumours).
    pub opacity: f64,
}

/// A point in LPS millimetres in glTF's frame (metres; X left, Y superior, Z anterior). A
/// rotation (determinant +1): triangle winding is kept.
fn to_gltf(p: [f64; 3]) -> [f32; 3] {
    [
        (p[0] * 1e-3) as f32,
        (p[2] * 1e-3) as f32,
        (-p[1] * 1e-3) as f32,
    ]
}

/// An sRGB channel as glTF's linear colour factor.
fn linear(c: u8) -> f64 {
    let c = f64::from(c) / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// The scene of `items` as a glTF binary (items without triangles are left out: glTF has no
/// empty buffers).
pub fn glb(items: &[GlbItem<'_>]) -> Vec<u8> {
    let items: Vec<&GlbItem<'_>> = items
        .iter()
        .filter(|i| !i.mesh.triangles.is_empty())
        .collect();
    let mut bin: Vec<u8> = Vec::new();
    let (mut views, mut accessors, mut meshes, mut nodes, mut materials) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut view = |bin: &mut Vec<u8>, bytes: Vec<u8>, target: u32| {
        let offset = bin.len();
        bin.extend_from_slice(&bytes);
        views.push(json!({
            "buffer": 0, "byteOffset": offset, "byteLength": bytes.len(), "target": target
        }));
        views.len() - 1
    };
    for (n, item) in items.iter().enumerate() {
        let positions: Vec<[f32; 3]> = item
            .mesh
            .positions_lps_mm
            .iter()
            .map(|&p| to_gltf(p))
            .collect();
        let normals: Vec<[f32; 3]> = item
            .mesh
            .vertex_normals()
            .into_iter()
            .map(|v| {
                let g = to_gltf(v);
                g.map(|x| x * 1e3)
            })
            .collect();
        let (mut min, mut max) = ([f32::MAX; 3], [f32::MIN; 3]);
        for p in &positions {
            for a in 0..3 {
                min[a] = min[a].min(p[a]);
                max[a] = max[a].max(p[a]);
            }
        }
        let floats = |v: &[[f32; 3]]| v.iter().flatten().flat_map(|x| x.to_le_bytes()).collect();
        let pv = view(&mut bin, floats(&positions), 34962);
        let nv = view(&mut bin, floats(&normals), 34962);
        let indices: Vec<u8> = item
            .mesh
            .triangles
            .iter()
            .flatten()
            .flat_map(|i| i.to_le_bytes())
            .collect();
        let iv = view(&mut bin, indices, 34963);
        let first = accessors.len();
        accessors.push(json!({
            "bufferView": pv, "componentType": 5126, "count": positions.len(), "type": "VEC3",
            "min": min, "max": max
        }));
        accessors.push(json!({
            "bufferView": nv, "componentType": 5126, "count": normals.len(), "type": "VEC3"
        }));
        accessors.push(json!({
            "bufferView": iv, "componentType": 5125, "count": item.mesh.triangles.len() * 3,
            "type": "SCALAR"
        }));
        let [r, g, b] = item.rgb.map(linear);
        let opacity = item.opacity.clamp(0.0, 1.0);
        let mut material = json!({
            "name": item.name,
            "pbrMetallicRoughness": {
                "baseColorFactor": [r, g, b, opacity],
                "metallicFactor": 0.0,
                "roughnessFactor": 0.6
            }
        });
        if opacity < 1.0 {
            material["alphaMode"] = json!("BLEND");
        }
        materials.push(material);
        meshes.push(json!({
            "name": item.name,
            "primitives": [{
                "attributes": { "POSITION": first, "NORMAL": first + 1 },
                "indices": first + 2,
                "material": n,
                "mode": 4
            }]
        }));
        nodes.push(json!({ "name": item.name, "mesh": n }));
    }
    // glTF's schema wants every array it names non-empty: a scene of nothing has none.
    let mut document = json!({
        "asset": { "version": "2.0", "generator": concat!("tumorscope ", env!("CARGO_PKG_VERSION")) },
    });
    if !items.is_empty() {
        document["scene"] = json!(0);
        document["scenes"] = json!([{ "nodes": (0..items.len()).collect::<Vec<_>>() }]);
        document["nodes"] = json!(nodes);
        document["meshes"] = json!(meshes);
        document["materials"] = json!(materials);
        document["accessors"] = json!(accessors);
        document["bufferViews"] = json!(views);
    }
    if !bin.is_empty() {
        document["buffers"] = json!([{ "byteLength": bin.len() }]);
    }
    let mut text = serde_json::to_vec(&document).unwrap_or_default();
    while !text.len().is_multiple_of(4) {
        text.push(b' ');
    }
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }
    let chunks = 8 + text.len() + if bin.is_empty() { 0 } else { 8 + bin.len() };
    let mut out = Vec::with_capacity(12 + chunks);
    out.extend_from_slice(b"glTF");
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&((12 + chunks) as u32).to_le_bytes());
    out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(b"JSON");
    out.extend_from_slice(&text);
    if !bin.is_empty() {
        out.extend_from_slice(&(bin.len() as u32).to_le_bytes());
        out.extend_from_slice(b"BIN\0");
        out.extend_from_slice(&bin);
    }
    out
}
