// Entry point: build (or reuse) the lab image and print its directory.
import { ensureImage } from './image.js';

const img = await ensureImage();
process.stdout.write(`${img.dir}\n`);
