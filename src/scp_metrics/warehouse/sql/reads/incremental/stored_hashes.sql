-- The per-series hashes stored for a mart by the previous build (or the whole mart's checksum,
-- stored under '<mart>#table').
select series, hash, n_rows from _series_hashes where mart = $mart order by series
