-- How many files are live in the ledger, the latest load time and the latest batch.
with batches as (
    select batch_id, status, loaded_at from load_batches
),

live as (
    select * from batches
    where status in ('loaded', 'partly superseded')
)

select count(*) as files, max(loaded_at) as loaded_at, max(batch_id) as last_batch from live
