-- Store the checksum of the whole mart as written, under '<mart>#table'.
insert into _series_hashes values ($table_key, '', $hash, $n_rows)
