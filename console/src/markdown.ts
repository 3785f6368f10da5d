/**
 * Markdown for people's own words (postmortem sections), rendered safely: markdown-it with
 * raw HTML off (it is shown as text) and its link check (no javascript:, vbscript:, file:
 * or data: links), so what a responder typed can never run in another responder's browser.
 */
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: false, linkify: true, breaks: true });

export const renderMarkdown = (text: string): string => md.render(text);
