export {
  FASHION_MNIST_DEBIAN_DIR,
  FASHION_MNIST_DEBIAN_PACKAGE,
  IMAGE_SIDE,
  IMAGE_SIZE,
  idxFileNames,
  loadDataset,
  loadEmbeddedMnist,
  loadIdxDataset,
  type Dataset,
  type DatasetName,
  type EmbeddedMnistOptions,
  type LoadDatasetOptions,
} from './dataset.js';
export {
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  IDX_UBYTE,
  isGzip,
  parseIdx,
  readIdxFile,
  readIdxImages,
  readIdxLabels,
  readMaybeGzipped,
  type IdxArray,
  type IdxImages,
} from './idx.js';
export { mulberry32 } from '../../../src/linalg/random.js';
