/**
 * What the page downloaded in a component test: each click on a link with
 * `download`, with the text of the Blob behind it (jsdom neither makes object
 * URLs nor follows links). The array is emptied before each test.
 */
import { afterEach, beforeEach, vi } from 'vitest';

export interface Download {
  name: string;
  text: Promise<string>;
}

export function captureDownloads(): Download[] {
  const downloads: Download[] = [];
  beforeEach(() => {
    downloads.length = 0;
    const blobs = new Map<string, Blob>();
    let n = 0;
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      const url = `blob:test/${++n}`;
      blobs.set(url, b as Blob);
      return url;
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloads.push({ name: this.download, text: blobs.get(this.href)!.text() });
    });
  });
  afterEach(() => vi.restoreAllMocks());
  return downloads;
}
