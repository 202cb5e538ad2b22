"""Reads a DICOM SEG with independent tools and prints what it holds, as JSON.

    python3 check_seg.py SEG

highdicom parses it as a Segmentation (its reader checks the module structure) and gives the
segments (with their display colour as sRGB) and the instances they were drawn on; pydicom decodes the 1-bit frames, and the voxels
of each segment are counted from the frames' Referenced Segment Number.
"""

import json
import sys

import highdicom as hd
import numpy as np
import pydicom


def main(path):
    seg = hd.seg.segread(path)
    ds = pydicom.dcmread(path)
    frames = ds.pixel_array.reshape(int(ds.NumberOfFrames), ds.Rows, ds.Columns)
    voxels = {}
    for n, item in enumerate(ds.PerFrameFunctionalGroupsSequence):
        number = int(item.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
        voxels[number] = voxels.get(number, 0) + int(np.count_nonzero(frames[n]))
    segments = []
    for number in seg.segment_numbers:
        d = seg.get_segment_description(number)
        segments.append(
            {
                "number": number,
                "label": d.SegmentLabel,
                "algorithm_type": d.SegmentAlgorithmType,
                "property_type": d.segmented_property_type.value,
                "voxels": voxels.get(number, 0),
                "rgb": list(
                    hd.color.CIELabColor.from_dicom_value(
                        [int(v) for v in d.RecommendedDisplayCIELabValue]
                    ).to_rgb()
                )
                if "RecommendedDisplayCIELabValue" in d
                else None,
            }
        )
    print(
        json.dumps(
            {
                "segmentation_type": seg.segmentation_type.value,
                "frames": int(ds.NumberOfFrames),
                "referenced_series": [
                    s.SeriesInstanceUID for s in ds.ReferencedSeriesSequence
                ],
                "source_instances": len(seg.get_source_image_uids()),
                "frame_of_reference": ds.FrameOfReferenceUID,
                "segments": segments,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
