import type { Evidence } from '../events/schema.js';
import { evidenceDir, writeEvidence } from '../api/evidence-store.js';
import { createFaceDetector } from '../detectors/faces.js';
import { encodeJpeg } from '../detectors/evidence/jpeg.js';
import { redactFaces } from '../detectors/evidence/redact.js';
import type { EvidenceTaker, Snapshot } from './ports.js';

/** BlazeFace's default is 0.5; redaction looks harder, since a missed face is the costly error. */
export const REDACTION_FACE_THRESHOLD = 0.3;

/**
 * The node's evidence stage: each snapshot is copied, its faces redacted (BlazeFace on the full
 * frame, repeated until it finds none, plus every tracked person's head), encoded as JPEG and only then written to the
 * content-addressed store the API serves from. No unredacted pixel reaches the disk.
 */
export async function createEvidenceTaker({ threads, dir = evidenceDir() }: { threads: number; dir?: string }): Promise<EvidenceTaker> {
  const faces = await createFaceDetector({ model: 'back', threads, scoreThreshold: REDACTION_FACE_THRESHOLD });
  return {
    async take(snapshots: readonly Snapshot[]): Promise<Evidence[]> {
      const evidence: Evidence[] = [];
      for (const { frame, people } of snapshots) {
        const image = { width: frame.width, height: frame.height, data: new Uint8Array(frame.data) };
        await redactFaces(image, people, async (redacted) => (await faces.detect({ ...frame, ...redacted })).map((f) => f.box));
        const sha256 = await writeEvidence(dir, encodeJpeg(image));
        evidence.push({ sha256, capturedAt: new Date(frame.capturedAt).toISOString() });
      }
      return evidence;
    },
    close: () => faces.close(),
  };
}
