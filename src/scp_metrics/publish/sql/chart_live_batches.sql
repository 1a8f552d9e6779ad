-- The live load batches of some ledger sources: the lineage in a chart's footnote.
with batches as (
    select batch_id, source, status, loaded_at from load_batches
),

live as (
    select batch_id, loaded_at from batches
    where list_contains($sources, source) and list_contains($statuses, status)
)

select batch_id, loaded_at from live
order by batch_id
