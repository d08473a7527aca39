-- A task decided with commands only (no keys): :Burrow approve, :Burrow apply (every hunk without
-- the diff tab), :Burrow status, then :Burrow undo, which must put the file back on disk.
local h = require('harness')
local review = require('burrow.review')

local file_buf = vim.api.nvim_get_current_buf()
local path = vim.api.nvim_buf_get_name(file_buf)
local out = { statuslines = {} }

-- Every statusline text while progress arrives, to see that it says what the task is doing.
local progress = require('burrow.progress')
local on_progress = progress.on_progress
progress.on_progress = function(params)
  on_progress(params)
  table.insert(out.statuslines, require('burrow').statusline())
end

local id = h.start_task(h.params.prompt)
vim.cmd('Burrow approve')
h.wait_for_state(id, 'awaitingChangesApproval', 'the changes')
out.review_opened = review.current ~= nil
vim.cmd('Burrow apply')
h.wait_for_state(id, 'applied', 'the task to be applied')
h.wait_for_written(file_buf)
out.after_apply = h.read_file(path)
out.review_closed = review.current == nil

vim.cmd('Burrow status')
h.wait_for('the status float', function()
  return vim.api.nvim_win_get_config(0).relative ~= ''
end)
out.status_lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
h.keys('q')
out.status_closed = vim.api.nvim_win_get_config(0).relative == ''

vim.cmd('Burrow undo')
h.wait_for('the undo to reach the disk', function()
  return h.read_file(path) == h.params.original and not vim.bo[file_buf].modified
end)
out.after_undo = h.read_file(path)
out.buffer_after_undo = table.concat(vim.api.nvim_buf_get_lines(file_buf, 0, -1, false), '\n') .. '\n'
return out
