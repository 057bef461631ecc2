// Helpers shared by the pages of check-chromium.sh and check-avif-corpus.sh (served next to them).
// load: onload/onerror rather than img.decode(): decode() promises never settle under --virtual-time-budget;
// drawImage in pixels() forces the full decode anyway.
function load(url) {
  const img = new Image();
  return new Promise((resolve, reject) => {
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('onerror'));
    img.src = url;
  });
}
// The RGBA bytes of a loaded image, drawn on a canvas of its natural size (un-premultiplied by getImageData).
function pixels(img) {
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const g = c.getContext('2d', {willReadFrequently: true});
  g.drawImage(img, 0, 0);
  return g.getImageData(0, 0, c.width, c.height).data;
}
