//! Discovery of LiTS, MSD and nnU-Net v2 trees written with our own writer, then loading.

mod common;

use std::path::{Path, PathBuf};

use tumorscope_core::{Geometry, StructureRole, Volume};
use tumorscope_nifti::{
    discover, load_case, write_mask_u8, write_volume_i16, NiftiError, NiftiLayout,
};

fn grid() -> Geometry {
    Geometry::axial([4, 3, 2], [0.8, 0.8, 2.0], [0.0; 3])
}

/// A label map with `liver` voxels of 1 and `tumor` voxels of 2 (tumor first).
fn labels(liver: usize, tumor: usize) -> Vec<u8> {
    let mut data = vec![0u8; grid().len()];
    data[..tumor].fill(2);
    data[tumor..tumor + liver].fill(1);
    data
}

fn write_ct(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    write_volume_i16(path, &Volume::filled(grid(), 40i16)).unwrap();
}

fn write_labels(path: &Path, data: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    write_mask_u8(path, &grid(), data).unwrap();
}

fn rel(root: &Path, p: &Option<PathBuf>) -> Option<String> {
    p.as_ref()
        .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
}

#[test]
fn lits_pairs_across_batches_in_natural_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_ct(&root.join("Training Batch 1/volume-10.nii"));
    write_labels(
        &root.join("Training Batch 1/segmentation-10.nii"),
        &labels(5, 2),
    );
    write_ct(&root.join("Training Batch 1/volume-2.nii"));
    write_labels(
        &root.join("Training Batch 2/segmentation-2.nii.gz"),
        &labels(3, 0),
    );
    write_ct(&root.join("Training Batch 2/volume-11.nii.gz"));
    write_ct(&root.join("test/test-volume-3.nii"));
    write_labels(&root.join("orphans/segmentation-99.nii"), &labels(1, 1));
    std::fs::write(
        root.join("Training Batch 1/._volume-10.nii"),
        b"resource fork",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("__MACOSX")).unwrap();
    std::fs::write(root.join("__MACOSX/volume-5.nii"), b"junk").unwrap();
    std::fs::write(root.join("README.txt"), b"not nifti").unwrap();

    let cases = discover(root).unwrap();
    let summary: Vec<_> = cases
        .iter()
        .map(|c| {
            (
                c.patient.as_str(),
                c.layout,
                rel(root, &Some(c.image.clone())).unwrap(),
                rel(root, &c.labels),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "test-volume-3",
                NiftiLayout::Lits,
                "test/test-volume-3.nii".into(),
                None
            ),
            (
                "volume-2",
                NiftiLayout::Lits,
                "Training Batch 1/volume-2.nii".into(),
                Some("Training Batch 2/segmentation-2.nii.gz".into())
            ),
            (
                "volume-10",
                NiftiLayout::Lits,
                "Training Batch 1/volume-10.nii".into(),
                Some("Training Batch 1/segmentation-10.nii".into())
            ),
            (
                "volume-11",
                NiftiLayout::Lits,
                "Training Batch 2/volume-11.nii.gz".into(),
                None
            ),
        ]
    );

    let image = load_case(&cases[2]).unwrap();
    let liver = image.mask("liver").unwrap();
    let tumor = image.mask("tumor").unwrap();
    assert_eq!((liver.role, liver.voxel_count()), (StructureRole::Liver, 5));
    assert_eq!((tumor.role, tumor.voxel_count()), (StructureRole::Tumor, 2));
    // A case annotated without tumor still gets an (empty) tumor mask.
    let image = load_case(&cases[1]).unwrap();
    assert_eq!(image.mask("tumor").unwrap().voxel_count(), 0);
    assert_eq!(image.mask("liver").unwrap().voxel_count(), 3);
    assert!(load_case(&cases[0]).unwrap().masks.is_empty());
}

#[test]
fn msd_task_with_dataset_json() {
    let dir = tempfile::tempdir().unwrap();
    let task = dir.path().join("Task03_Liver");
    std::fs::create_dir_all(&task).unwrap();
    std::fs::write(
        task.join("dataset.json"),
        r#"{"name": "Liver", "labels": {"0": "background", "1": "liver", "2": "cancer"},
            "training": [{"image": "./imagesTr/liver_0.nii.gz", "label": "./labelsTr/liver_0.nii.gz"}]}"#,
    )
    .unwrap();
    for n in [10, 0, 2] {
        write_ct(&task.join(format!("imagesTr/liver_{n}.nii.gz")));
        write_labels(
            &task.join(format!("labelsTr/liver_{n}.nii.gz")),
            &labels(4, n % 3),
        );
    }
    write_ct(&task.join("imagesTs/liver_132.nii.gz"));
    std::fs::write(task.join("imagesTr/._liver_0.nii.gz"), b"resource fork").unwrap();
    std::fs::write(task.join("labelsTr/._liver_0.nii.gz"), b"resource fork").unwrap();
    // A loose file next to the task folder is a plain image.
    write_ct(&dir.path().join("extra.nii.gz"));

    let cases = discover(dir.path()).unwrap();
    let summary: Vec<_> = cases
        .iter()
        .map(|c| (c.patient.as_str(), c.layout, rel(dir.path(), &c.labels)))
        .collect();
    assert_eq!(
        summary,
        [
            ("extra", NiftiLayout::Plain, None),
            (
                "liver_0",
                NiftiLayout::Msd,
                Some("Task03_Liver/labelsTr/liver_0.nii.gz".into())
            ),
            (
                "liver_2",
                NiftiLayout::Msd,
                Some("Task03_Liver/labelsTr/liver_2.nii.gz".into())
            ),
            (
                "liver_10",
                NiftiLayout::Msd,
                Some("Task03_Liver/labelsTr/liver_10.nii.gz".into())
            ),
            ("liver_132", NiftiLayout::Msd, None),
        ]
    );
    assert_eq!(
        cases[1].label_names,
        [(1, "liver".to_string()), (2, "tumor".to_string())]
    );
    let image = load_case(&cases[3]).unwrap();
    assert_eq!(image.patient, "liver_10");
    assert_eq!(image.mask("tumor").unwrap().voxel_count(), 1);
    assert_eq!(image.mask("liver").unwrap().voxel_count(), 4);

    // Pointing at the task folder itself works the same.
    assert_eq!(discover(&task).unwrap().len(), 4);
}

#[test]
fn nnunet_v2_channels_pair_with_labels() {
    let dir = tempfile::tempdir().unwrap();
    let task = dir.path().join("Dataset003_Liver");
    std::fs::create_dir_all(&task).unwrap();
    std::fs::write(
        task.join("dataset.json"),
        r#"{"channel_names": {"0": "CT"}, "labels": {"background": 0, "liver": 1, "tumor": 2}, "file_ending": ".nii.gz"}"#,
    )
    .unwrap();
    write_ct(&task.join("imagesTr/liver_001_0000.nii.gz"));
    write_ct(&task.join("imagesTr/liver_001_0001.nii.gz"));
    write_labels(&task.join("labelsTr/liver_001.nii.gz"), &labels(2, 1));
    let cases = discover(dir.path()).unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].patient, "liver_001");
    assert_eq!(
        cases[0].labels.as_deref(),
        Some(task.join("labelsTr/liver_001.nii.gz").as_path())
    );
    let image = load_case(&cases[0]).unwrap();
    assert_eq!(image.mask("tumor").unwrap().voxel_count(), 1);
}

#[test]
fn duplicates_and_bad_json_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_ct(&dir.path().join("a/volume-4.nii"));
    write_ct(&dir.path().join("b/volume-4.nii.gz"));
    assert!(
        matches!(discover(dir.path()), Err(NiftiError::DuplicateCase { case, .. }) if case == "volume-4")
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("dataset.json"), "{ not json").unwrap();
    assert!(matches!(
        discover(dir.path()),
        Err(NiftiError::DatasetJson { .. })
    ));
    assert!(matches!(
        discover(&dir.path().join("missing")),
        Err(NiftiError::Read { .. })
    ));
}

#[test]
fn a_single_file_is_a_case() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scan.nii.gz");
    write_ct(&path);
    let cases = discover(&path).unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(
        (cases[0].patient.as_str(), cases[0].layout),
        ("scan", NiftiLayout::Plain)
    );
    let _ = common::awkward_geometries;
}

#[test]
fn nnunet_predictions_pair_with_the_images_they_were_made_from() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("Dataset003_Liver/imagesTs");
    write_ct(&images.join("liver_5_0000.nii.gz"));
    write_ct(&images.join("liver_7_0000.nii.gz"));
    // As nnUNetv2_predict -i IMAGES -o preds leaves them: predictions, dataset.json,
    // plans.json and the run's arguments.
    let preds = dir.path().join("preds");
    write_labels(&preds.join("liver_5.nii.gz"), &labels(3, 2));
    write_labels(&preds.join("liver_9.nii.gz"), &labels(3, 2));
    std::fs::write(
        preds.join("dataset.json"),
        r#"{"channel_names": {"0": "CT"}, "labels": {"background": 0, "liver": 1, "tumor": 2}, "numTraining": 1, "file_ending": ".nii.gz"}"#,
    )
    .unwrap();
    std::fs::write(preds.join("plans.json"), "{}").unwrap();
    let arguments = format!(
        r#"{{"list_of_lists_or_source_folder": "{}", "output_folder_or_list_of_truncated_output_files": "preds", "save_probabilities": false}}"#,
        images.display()
    );
    std::fs::write(preds.join("predict_from_raw_data_args.json"), arguments).unwrap();

    let (cases, not_placed) = tumorscope_nifti::discover_placed(dir.path()).unwrap();
    let summary: Vec<_> = cases
        .iter()
        .map(|c| {
            (
                c.patient.as_str(),
                rel(dir.path(), &Some(c.image.clone())),
                c.labels.is_some(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "liver_5",
                Some("Dataset003_Liver/imagesTs/liver_5_0000.nii.gz".into()),
                true
            ),
            // Not predicted: an image without labels, as before.
            (
                "liver_7_0000",
                Some("Dataset003_Liver/imagesTs/liver_7_0000.nii.gz".into()),
                false
            ),
        ]
    );
    assert_eq!(not_placed.len(), 1);
    assert!(not_placed[0].path.ends_with("liver_9.nii.gz"));
    assert!(
        not_placed[0]
            .reason
            .contains("predict_from_raw_data_args.json"),
        "{}",
        not_placed[0].reason
    );
    let image = load_case(&cases[0]).unwrap();
    assert_eq!(image.mask("tumor").unwrap().voxel_count(), 2);
    assert_eq!(image.mask("liver").unwrap().voxel_count(), 3);

    // The list-of-files form, relative to the folder the run was started in.
    let arguments = r#"{"list_of_lists_or_source_folder": [["Dataset003_Liver/imagesTs/liver_5_0000.nii.gz"]]}"#;
    std::fs::write(preds.join("predict_from_raw_data_args.json"), arguments).unwrap();
    std::fs::remove_file(preds.join("liver_9.nii.gz")).unwrap();
    let (cases, not_placed) = tumorscope_nifti::discover_placed(&preds).unwrap();
    assert!(not_placed.is_empty());
    assert_eq!(cases.len(), 1);
    assert!(cases[0].image.ends_with("imagesTs/liver_5_0000.nii.gz"));
}

/// An NRRD file with a raw uint8 or int16 body on [`grid`], written by hand.
fn write_nrrd(path: &Path, short: bool, values: &[i16], extra: &str) {
    let g = grid();
    let header = format!(
        "NRRD0004\ntype: {}\ndimension: 3\nsizes: {} {} {}\nspace: left-posterior-superior\nspace directions: ({},0,0) (0,{},0) (0,0,{})\nspace origin: (0,0,0)\nendian: little\nencoding: raw\n{extra}\n",
        if short { "short" } else { "uchar" },
        g.dims[0], g.dims[1], g.dims[2], g.spacing_mm[0], g.spacing_mm[1], g.spacing_mm[2]
    );
    let body: Vec<u8> = if short {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    } else {
        values.iter().map(|&v| v as u8).collect()
    };
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, [header.as_bytes(), &body].concat()).unwrap();
}

#[test]
fn nrrd_images_label_volumes_and_slicer_segmentations() {
    let dir = tempfile::tempdir().unwrap();
    let n = grid().len();
    let ct = vec![40i16; n];
    let labels: Vec<i16> = labels(5, 2).iter().map(|&v| v as i16).collect();
    // Slicer label map volume beside its image.
    write_nrrd(&dir.path().join("a/scan.nrrd"), true, &ct, "");
    write_nrrd(&dir.path().join("a/scan-label.nrrd"), false, &labels, "");
    // A scene folder: one image, one segmentation (liver known by its code only).
    write_nrrd(&dir.path().join("b/CT.nrrd"), true, &ct, "");
    write_nrrd(
        &dir.path().join("b/Segmentation.seg.nrrd"),
        false,
        &labels,
        "Segment0_ID:=s1\nSegment0_Name:=organ\nSegment0_LabelValue:=1\nSegment0_Layer:=0\nSegment0_Tags:=TerminologyEntry:ctx~SCT^123037004^Anatomical Structure~SCT^10200004^Liver~^^~~^^~^^|\nSegment1_ID:=s2\nSegment1_Name:=lesion\nSegment1_LabelValue:=2\nSegment1_Layer:=0\n",
    );
    // Two images and a segmentation named after neither.
    write_nrrd(&dir.path().join("c/one.nrrd"), true, &ct, "");
    write_nrrd(&dir.path().join("c/two.nrrd"), true, &ct, "");
    write_nrrd(
        &dir.path().join("c/Segmentation.seg.nrrd"),
        false,
        &labels,
        "",
    );

    let (cases, not_placed) = tumorscope_nifti::discover_placed(dir.path()).unwrap();
    let summary: Vec<_> = cases
        .iter()
        .map(|c| {
            (
                c.patient.as_str(),
                c.layout,
                c.labels.is_some(),
                c.segmentations.len(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("b", NiftiLayout::Slicer, false, 1),
            ("one", NiftiLayout::Nrrd, false, 0),
            ("scan", NiftiLayout::Nrrd, true, 0),
            ("two", NiftiLayout::Nrrd, false, 0),
        ]
    );
    assert_eq!(not_placed.len(), 1);
    assert!(
        not_placed[0].reason.contains("beside 2 images"),
        "{}",
        not_placed[0].reason
    );

    let scan = load_case(&cases[2]).unwrap();
    assert_eq!(scan.ct.data, ct);
    assert_eq!(scan.mask("label-1").unwrap().voxel_count(), 5);
    assert_eq!(scan.mask("label-2").unwrap().voxel_count(), 2);
    let scene = load_case(&cases[0]).unwrap();
    let roles: Vec<_> = scene
        .masks
        .iter()
        .map(|m| (m.name.as_str(), m.role, m.voxel_count()))
        .collect();
    assert_eq!(
        roles,
        [
            ("organ", StructureRole::Liver, 5),
            ("lesion", StructureRole::Tumor, 2)
        ]
    );
}

#[test]
fn loose_masks_beside_their_image_are_recognised_by_their_values() {
    let dir = tempfile::tempdir().unwrap();
    let n = grid().len();
    let folder = dir.path().join("case7");
    let ct = Volume {
        geometry: grid(),
        data: (0..n as i16).map(|v| v * 37 - 1000).collect(),
    };
    std::fs::create_dir_all(&folder).unwrap();
    write_volume_i16(&folder.join("ct.nii.gz"), &ct).unwrap();
    let liver: Vec<u8> = (0..n).map(|v| u8::from(v % 2 == 0)).collect();
    write_labels(&folder.join("liver.nii.gz"), &liver);
    write_labels(&folder.join("everything.nii.gz"), &labels(5, 2));
    // Another grid: not this image's, a case of its own.
    let other = Geometry::axial([2, 2, 2], [1.0; 3], [0.0; 3]);
    write_mask_u8(&folder.join("elsewhere.nii.gz"), &other, &[1; 8]).unwrap();
    // Two CTs on one grid: neither is the other's mask.
    let pair = dir.path().join("pair");
    std::fs::create_dir_all(&pair).unwrap();
    write_volume_i16(&pair.join("a.nii.gz"), &ct).unwrap();
    write_volume_i16(&pair.join("b.nii.gz"), &ct).unwrap();

    let cases = discover(dir.path()).unwrap();
    let names: Vec<_> = cases.iter().map(|c| c.patient.as_str()).collect();
    assert_eq!(names, ["a", "b", "ct", "elsewhere"]);
    let case = &cases[2];
    assert_eq!(
        case.structure_files
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>(),
        ["liver"]
    );
    assert!(case.labels.as_ref().unwrap().ends_with("everything.nii.gz"));
    assert_eq!(
        case.label_names,
        [(1, "label-1".to_string()), (2, "label-2".to_string())]
    );
    let image = load_case(case).unwrap();
    assert_eq!(image.mask("liver").unwrap().voxel_count(), n.div_ceil(2));
    assert_eq!(image.mask("label-1").unwrap().voxel_count(), 5);
    assert_eq!(image.mask("label-2").unwrap().voxel_count(), 2);
}
