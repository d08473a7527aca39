-- The chat buffer: a question typed under "## You" and sent with <CR> streams its answer in; a
-- follow-up from :Burrow chat {question} continues the same session.
local h = require('harness')
local chat = require('burrow.chat')

vim.cmd('Burrow chat')
local buf = chat.state.buf
local out = { filetype = vim.bo[buf].filetype }
-- Type the question as a user would, in insert mode, then send it from normal mode.
h.keys('o' .. h.params.first .. '<Esc>')
h.keys('<CR>')
h.wait_for('the first answer', function()
  return not chat.state.streaming and table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n'):find(h.params.first_answer, 1, true) ~= nil
end)
out.session_after_first = chat.state.session_id
out.streamed = chat.state.streamed
vim.cmd('Burrow chat ' .. h.params.second)
h.wait_for('the second answer', function()
  return not chat.state.streaming and table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n'):find(h.params.second_answer, 1, true) ~= nil
end)
out.session_after_second = chat.state.session_id
out.lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
return out
