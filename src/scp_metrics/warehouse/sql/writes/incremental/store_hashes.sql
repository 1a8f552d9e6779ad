-- Store the new per-series hashes (the registered frame _new_hashes).
insert into _series_hashes select mart, series, hash, n_rows from _new_hashes
