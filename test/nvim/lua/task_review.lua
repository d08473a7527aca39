-- One task from :Burrow task to the files on disk, driven by the plugin's own keys: approve the
-- plan in the float, then in the diff tab either accept the first hunk and reject the second
-- (mode "accept-one") or reject everything with feedback (mode "reject-all").
local h = require('harness')
local p = h.params
local tasks = require('burrow.tasks')
local plan = require('burrow.plan')
local review = require('burrow.review')

h.answer_prompts(p.feedback or '')
local file_buf = vim.api.nvim_get_current_buf()
local path = vim.api.nvim_buf_get_name(file_buf)
local original = vim.api.nvim_buf_get_lines(file_buf, 0, -1, false)

vim.cmd('Burrow task ' .. p.prompt)
h.wait_for('the plan float', function()
  return plan.current ~= nil
end)
local out = {}
out.float_has_focus = vim.api.nvim_get_current_win() == plan.current.win
out.float_is_floating = vim.api.nvim_win_get_config(plan.current.win).relative ~= ''
out.plan_lines = vim.api.nvim_buf_get_lines(plan.current.buf, 0, -1, false)
local task_id = plan.current.taskId

h.keys('a')
h.wait_for('the diff tab', function()
  return review.current ~= nil
end)
local r = review.current
out.tabs = #vim.api.nvim_list_tabpages()
out.review_files = #r.files
out.hunks = #r.files[1].hunks
out.diff_mode = vim.wo[r.left_win].diff and vim.wo[r.right_win].diff
out.left = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(r.left_win), 0, -1, false)
out.right = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(r.right_win), 0, -1, false)
-- Nothing may reach the real buffer before the user decides.
out.buffer_untouched_during_review = vim.deep_equal(vim.api.nvim_buf_get_lines(file_buf, 0, -1, false), original)
out.buffer_modified_during_review = vim.bo[file_buf].modified

if p.mode == 'accept-one' then
  h.keys('ga') -- the cursor starts on the first hunk; accepting moves to the next pending one
  h.keys('gr')
  out.accepted = review.accepted_ids()
  out.marks = vim.wo[r.right_win].statusline
  h.keys('<CR>')
  h.wait_for('the task to be applied', function()
    return tasks.get(task_id).state == 'applied'
  end)
  h.wait_for('the buffer to be written', function()
    return not vim.bo[file_buf].modified
  end)
else
  h.keys('gR')
  h.wait_for('the task to be rejected', function()
    return tasks.get(task_id).state == 'rejected'
  end)
  out.prompts = h.prompts
end

out.state = tasks.get(task_id).state
out.review_closed = review.current == nil
out.buffer = table.concat(vim.api.nvim_buf_get_lines(file_buf, 0, -1, false), '\n') .. '\n'
out.disk = h.read_file(path)
return out
