"""Process plumbing shared by the jobs: lazy imports, optional extras, worker
pools and printable file names. None of it computes a figure."""
