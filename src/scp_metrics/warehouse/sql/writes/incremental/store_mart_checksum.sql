-- Store one row for a whole mart: its checksum (under '<mart>#table') or its salt ('<mart>#salt').
insert into _series_hashes values ($table_key, '', $hash, $n_rows)
