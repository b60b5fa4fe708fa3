-- Cluster mode: the projector's update of ONE user's indexes (all on the user's slot, tagged by the
-- email) from a message event. Idempotent, and safe applied late or twice.
-- KEYS: 1 messages:{email}, 2 conversations:{email}, 3 left_at:{email}
-- ARGV: 1 'sent' or 'deleted', 2 message id, 3 the other party, 4 the message's time (epoch ms),
--       5 (deleted) the conversation's newest message id now, or '' when it has none left
if ARGV[1] == 'sent' then
  -- a message older than this email's last deletion belongs to the old account
  if tonumber(ARGV[4]) < tonumber(redis.call('GET', KEYS[3]) or '0') then return 0 end
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[2])
  redis.call('ZADD', KEYS[2], 'GT', ARGV[2], ARGV[3])
  return 1
end
redis.call('ZREM', KEYS[1], ARGV[2])
if ARGV[5] == '' then
  redis.call('ZREM', KEYS[2], ARGV[3])
elseif redis.call('ZSCORE', KEYS[2], ARGV[3]) then
  redis.call('ZADD', KEYS[2], 'XX', ARGV[5], ARGV[3])
end
return 1
