-- Forget a mart's stored hashes and checksum before storing the new ones.
delete from _series_hashes where mart in ($mart, $table_key)
