/** Image repositories of the embedded registry and, for one, its tags with digests and sizes. */

import { Empty, ErrorBox, PageHeader } from "../components/ui";
import { useApi } from "../hooks";
import { Link } from "../router";
import type { Image, ImageTag } from "../types";

export default function ImagesPage({ params }: { params: Record<string, string> }) {
  const selected = params["*"];
  const images = useApi<Image[]>("/images");
  const detail = useApi<{ name: string; tags: ImageTag[] }>(selected ? `/images/${selected.split("/").map(encodeURIComponent).join("/")}` : null);
  return (
    <>
      <PageHeader title="Images" />
      <ErrorBox error={images.error ?? detail.error} />
      <div className="grid-2">
        <section className="card">
          {images.data?.length === 0 ? <Empty>No images yet: slipway/push-image pushes them to this server's registry.</Empty> : null}
          <ul className="list">
            {(images.data ?? []).map((image) => (
              <li key={image.name} className={image.name === selected ? "selected" : ""}>
                <Link to={`/images/${image.name}`} className="mono">{image.name}</Link>
                <span className="muted">{image.tags} tags{image.latestTag ? ` · latest ${image.latestTag}` : ""}</span>
              </li>
            ))}
          </ul>
        </section>
        {selected ? (
          <section className="card">
            <h2 className="mono">{selected}</h2>
            <table className="history" data-testid="image-tags">
              <thead><tr><th>Tag</th><th>Digest</th><th>Size</th></tr></thead>
              <tbody>
                {(detail.data?.tags ?? []).map((tag) => (
                  <tr key={tag.tag}><td className="mono">{tag.tag}</td><td className="mono" title={tag.digest}>{tag.digest.slice(7, 19)}</td><td>{(tag.size / 1024).toFixed(1)} KiB</td></tr>
                ))}
              </tbody>
            </table>
          </section>
        ) : null}
      </div>
    </>
  );
}
