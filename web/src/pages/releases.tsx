/** Releases of every repository, newest first, with their changelogs. */

import { useEffect, useState } from "react";
import { api, enc } from "../api";
import { Empty, ErrorBox, PageHeader } from "../components/ui";
import { ReleaseCard } from "./repo";
import type { Release, Repo } from "../types";

export default function ReleasesPage() {
  const [releases, setReleases] = useState<Release[]>();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    (async () => {
      const repos = await api<Repo[]>("/repos");
      const lists = await Promise.all(repos.map((repo) => api<Release[]>(`/repos/${enc(repo.owner)}/${enc(repo.repo)}/releases?limit=50`).catch(() => [])));
      setReleases(lists.flat().sort((a, b) => b.createdAt - a.createdAt));
    })().catch(setError);
  }, []);
  return (
    <>
      <PageHeader title="Releases" />
      <ErrorBox error={error} />
      {releases?.length === 0 ? <Empty>No releases yet: the slipway/release step records them.</Empty> : null}
      {(releases ?? []).map((release) => <ReleaseCard key={release.id} release={release} />)}
    </>
  );
}
