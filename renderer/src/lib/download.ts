// Save a text or blob as a file through the browser's download (works in Electron and Chromium).
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const downloadText = (text: string, fileName: string, type = 'text/csv') =>
  downloadBlob(new Blob([text], { type }), fileName);
