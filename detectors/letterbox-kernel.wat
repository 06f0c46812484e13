;; The inner loop of `letterboxInto` (preprocess.ts) with 128-bit SIMD: one output pixel per
;; iteration, its three channels in the lanes of one f32x4. Bilinear sampling of the four
;; source pixels, then value * k + b per source channel (R, G, B in lanes 0-2), each lane
;; stored at its own offset from the pixel: the caller picks the offsets for the layout (NCHW
;; planes or NHWC) and the channel order (BGR models store R where RGB ones store B).
;; Only the resized region is written; the caller owns the padding around it.
;;
;; Linear memory holds everything (addresses in bytes):
;;   cols: per resized column, i32 left, i32 right (byte offsets of the source pixels in a row)
;;         and f32 weight of the right one: 12 bytes each;
;;   rows: the same per resized row, with offsets of the source rows;
;;   src:  packed RGB24, followed by at least 8 readable bytes (each pixel is read with an
;;         8-byte load whose first 3 bytes are the pixel).
;;
;; Rebuild with `npm run build:wasm` (wabt's wat2wasm); a test checks the .wasm matches.
(module
  (memory (export "memory") 1)
  (func (export "letterbox")
    (param $src i32) (param $cols i32) (param $rows i32)
    ;; Address of the first resized pixel's first channel, and bytes between output rows.
    (param $out i32) (param $rowStride i32)
    ;; Bytes between neighbouring output pixels, and from a pixel's address to where R, G and B go.
    (param $pixelStep i32) (param $d0 i32) (param $d1 i32) (param $d2 i32)
    (param $resizedWidth i32) (param $resizedHeight i32)
    (param $k0 f32) (param $k1 f32) (param $k2 f32) (param $b0 f32) (param $b1 f32) (param $b2 f32)
    (local $k v128) (local $b v128) (local $fx v128) (local $fy v128)
    (local $tl v128) (local $tr v128) (local $bl v128) (local $br v128)
    (local $upper v128) (local $v v128)
    (local $row i32) (local $rowsEnd i32) (local $col i32)
    (local $top i32) (local $bottom i32) (local $left i32) (local $right i32)
    (local $o i32) (local $rowStart i32) (local $rowEnd i32)
    (local.set $k
      (f32x4.replace_lane 2
        (f32x4.replace_lane 1 (f32x4.splat (local.get $k0)) (local.get $k1)) (local.get $k2)))
    (local.set $b
      (f32x4.replace_lane 2
        (f32x4.replace_lane 1 (f32x4.splat (local.get $b0)) (local.get $b1)) (local.get $b2)))
    (local.set $row (local.get $rows))
    (local.set $rowsEnd (i32.add (local.get $rows) (i32.mul (local.get $resizedHeight) (i32.const 12))))
    (local.set $rowStart (local.get $out))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rowsEnd)))
        (local.set $top (i32.add (local.get $src) (i32.load (local.get $row))))
        (local.set $bottom (i32.add (local.get $src) (i32.load offset=4 (local.get $row))))
        (local.set $fy (f32x4.splat (f32.load offset=8 (local.get $row))))
        (local.set $o (local.get $rowStart))
        (local.set $rowEnd
          (i32.add (local.get $o) (i32.mul (local.get $resizedWidth) (local.get $pixelStep))))
        (local.set $col (local.get $cols))
        (block $colsDone
          (loop $colLoop
            (br_if $colsDone (i32.ge_u (local.get $o) (local.get $rowEnd)))
            (local.set $left (i32.load (local.get $col)))
            (local.set $right (i32.load offset=4 (local.get $col)))
            (local.set $fx (f32x4.splat (f32.load offset=8 (local.get $col))))
            ;; 8 bytes -> u16 lanes -> u32 lanes 0-3 (R, G, B, next byte) -> f32. The signed
            ;; conversion is one instruction on x86 (the unsigned one is a sequence), and 0-255 fit.
            (local.set $tl (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_u
              (v128.load8x8_u (i32.add (local.get $top) (local.get $left))))))
            (local.set $tr (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_u
              (v128.load8x8_u (i32.add (local.get $top) (local.get $right))))))
            (local.set $bl (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_u
              (v128.load8x8_u (i32.add (local.get $bottom) (local.get $left))))))
            (local.set $br (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_u
              (v128.load8x8_u (i32.add (local.get $bottom) (local.get $right))))))
            (local.set $upper (f32x4.add (local.get $tl)
              (f32x4.mul (f32x4.sub (local.get $tr) (local.get $tl)) (local.get $fx))))
            (local.set $v (f32x4.add (local.get $bl)
              (f32x4.mul (f32x4.sub (local.get $br) (local.get $bl)) (local.get $fx))))
            (local.set $v (f32x4.add (local.get $upper)
              (f32x4.mul (f32x4.sub (local.get $v) (local.get $upper)) (local.get $fy))))
            (local.set $v (f32x4.add (f32x4.mul (local.get $v) (local.get $k)) (local.get $b)))
            (f32.store (i32.add (local.get $o) (local.get $d0)) (f32x4.extract_lane 0 (local.get $v)))
            (f32.store (i32.add (local.get $o) (local.get $d1)) (f32x4.extract_lane 1 (local.get $v)))
            (f32.store (i32.add (local.get $o) (local.get $d2)) (f32x4.extract_lane 2 (local.get $v)))
            (local.set $o (i32.add (local.get $o) (local.get $pixelStep)))
            (local.set $col (i32.add (local.get $col) (i32.const 12)))
            (br $colLoop)))
        (local.set $row (i32.add (local.get $row) (i32.const 12)))
        (local.set $rowStart (i32.add (local.get $rowStart) (local.get $rowStride)))
        (br $rowLoop)))))
