/**
 * An image address as pages use it: `http:` becomes `https:`. The CSP allows images from
 * https: only, and browsers upgrade or block plain-http images on https pages anyway; so
 * rather than an image silently missing, it is asked for over https (nearly every host
 * serves both). An image only reachable over plain http does not show: upload it instead.
 */
export function secureImageUrl(url: string): string {
  return /^http:\/\//i.test(url) ? `https://${url.slice(7)}` : url;
}
