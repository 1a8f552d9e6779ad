-- How many areas the partnership's peer group (mart_peer_group: delivered, else the proxy group) has (0: no group in the warehouse).
with group_members as (
    select area_code from mart_peer_group
    where upper(trim(group_id)) = $home
)

select count(distinct area_code) as members from group_members
