#!/usr/bin/python3
"""Camera simulator: an RTSP server that serves looping H.264 footage as live cameras.

usage: rtsp_server.py --port PORT PATH=FILE [PATH=FILE ...]

Each PATH is served at rtsp://127.0.0.1:PORT/PATH. FILE is any container GStreamer can
parse (mp4, mkv, raw .h264) holding H.264; it is read once into memory as access units
and pushed into an appsrc in a loop. Timestamps are generated here and keep increasing
across loops: `multifilesrc loop=true` restarts them at zero, which makes every loop's
frames collide and breaks RTSP clients. Runs with Debian's /usr/bin/python3 (it has gi).
"""
import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)


def read_access_units(path):
    """Demuxes and parses FILE into H.264 access units (Annex B) and the frame duration (ns)."""
    pipeline = Gst.parse_launch(
        "filesrc name=src ! parsebin ! h264parse "
        "! video/x-h264,stream-format=byte-stream,alignment=au ! appsink name=sink sync=false"
    )
    pipeline.get_by_name("src").set_property("location", path)
    sink = pipeline.get_by_name("sink")
    pipeline.set_state(Gst.State.PLAYING)
    units, caps = [], None
    while True:
        sample = sink.emit("pull-sample")
        if sample is None:
            break
        caps = caps or sample.get_caps()
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        if ok:
            keyframe = not buf.has_flags(Gst.BufferFlags.DELTA_UNIT)
            units.append((bytes(info.data), keyframe))
            buf.unmap(info)
    bus_error = pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
    pipeline.set_state(Gst.State.NULL)
    if bus_error is not None:
        err, _ = bus_error.parse_error()
        raise RuntimeError(f"{path}: {err.message}")
    if not units:
        raise RuntimeError(f"{path}: no H.264 frames found")
    structure = caps.get_structure(0)
    ok, num, den = structure.get_fraction("framerate")
    if not ok or num == 0:
        num, den = 25, 1
    # Loop from the first keyframe so every lap starts decodable.
    first_key = next((i for i, (_, key) in enumerate(units) if key), 0)
    units = units[first_key:]
    width = structure.get_value("width")
    height = structure.get_value("height")
    return units, Gst.SECOND * den // num, (width, height, num / den)


class LoopingFactory(GstRtspServer.RTSPMediaFactory):
    def __init__(self, units, frame_ns):
        super().__init__()
        self.units = units
        self.frame_ns = frame_ns
        # Each client gets its own pipeline starting at a keyframe, as a camera does on connect.
        self.set_shared(False)

    def do_create_element(self, url):
        return Gst.parse_launch(
            "appsrc name=src is-live=true format=time do-timestamp=false "
            "caps=video/x-h264,stream-format=byte-stream,alignment=au "
            "! h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96 config-interval=-1"
        )

    def do_configure(self, media):
        appsrc = media.get_element().get_child_by_name("src")
        state = {"index": 0}

        def need_data(src, _length):
            # Push a small batch; the server paces delivery by the timestamps.
            for _ in range(4):
                n = state["index"]
                data, keyframe = self.units[n % len(self.units)]
                buf = Gst.Buffer.new_wrapped(data)
                buf.pts = n * self.frame_ns
                buf.dts = buf.pts
                buf.duration = self.frame_ns
                if not keyframe:
                    buf.set_flags(Gst.BufferFlags.DELTA_UNIT)
                state["index"] = n + 1
                if src.emit("push-buffer", buf) != Gst.FlowReturn.OK:
                    return

        appsrc.connect("need-data", need_data)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("mounts", nargs="+", metavar="PATH=FILE")
    args = parser.parse_args()

    server = GstRtspServer.RTSPServer()
    server.set_address(args.address)
    server.set_service(str(args.port))
    mounts = server.get_mount_points()
    cache = {}
    for mount in args.mounts:
        path, sep, file = mount.partition("=")
        if not sep or not path or not file:
            sys.exit(f"rtsp_server: bad mount {mount!r}: expected PATH=FILE")
        if file not in cache:
            try:
                cache[file] = read_access_units(file)
            except RuntimeError as error:
                sys.exit(f"rtsp_server: {error}")
        units, frame_ns, (width, height, fps) = cache[file]
        mounts.add_factory("/" + path.strip("/"), LoopingFactory(units, frame_ns))
        print(f"serving /{path.strip('/')} <- {file} ({width}x{height} {fps:g} fps, {len(units)} frames)", flush=True)

    if server.attach(None) == 0:
        sys.exit(f"rtsp_server: cannot listen on {args.address}:{args.port}")
    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print(f"listening on rtsp://{args.address}:{args.port}", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
