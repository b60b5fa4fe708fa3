-- Takes or renews one shard's lease: free, or already this consumer's.
-- KEYS[1] lease:<group>:<stream>   ARGV[1] consumer name   ARGV[2] time to live (ms)
-- Returns 1 when the caller holds the lease for ARGV[2] ms from now, 0 when another does.
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
