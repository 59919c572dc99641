/**
 * The demo a new install shows: James's post "You CAN'T Fail in Social Media" (2010)
 * and its conversation, from shared/seed/social-media-post.txt. Ordinary content: the
 * owner can edit or delete it.
 */

export interface DemoComment {
  /** Who wrote it; "james" is the post's author, the rest are readers. */
  by: 'james' | 'charity' | 'kathy' | 'torri';
  markdown: string;
  /** ISO time, UTC. */
  at: string;
  /** Index in this list of the comment it answers. */
  replyTo?: number;
}

export const demoAuthor = { name: 'James', email: 'james@kumbaya.example', slug: 'james', bio: 'Writes about people, relationships and the social web.' };

export const demoReaders = {
  charity: { name: 'Charity', email: 'charity@kumbaya.example', website: null },
  kathy: { name: 'Kathy', email: 'kathy@kumbaya.example', website: null },
  torri: { name: 'Torri', email: 'torri@kumbaya.example', website: 'https://torri.example' },
} as const;

export const demoPost = {
  title: "You CAN'T Fail in Social Media",
  slug: 'you-cant-fail-in-social-media',
  tags: ['Social media', 'Community'],
  publishedAt: '2010-11-08T14:12:00Z',
  markdown: "It may be a novel thought, but it’s true: You CAN’T fail in social media. Sure, there are many who will explain what it is to be a failure in social media. They’ll tell you that you don’t add up. They may even show you nifty charts and diagrams to prove their point. Then, I’m almost positive that they will offer to show you a better way. It’s even more common for a person involved on the social web to consider that they are themselves a failure. What, with all the gurus and folks out there who are doing it right, how will we ever compete with all of this? A simple answer, DON’T.\n\nSocial media isn’t about winning or losing. It’s also not “you vs. the world” either. It’s about getting engaged with people. That’s it, nothing more. If you are out there, getting involved at all, if you’re building relationships and engaging in conversations…if you are participating, you WIN. We all feel like we can get better at this, that’s NOT a novel thought. True, we can set all sorts of goals and make plans, and we may actually achieve some level of success and attainment in this. Or, we don’t meet our goals and we’re forced to re-think our plan. Re-group and enjoy more success and better results next time. Excellent! Just don’t make failure (the word OR the concept) a part of the process.\n\nWhy must we keep on, why is failure not an option to be accepted here? Because social media is a means to an end, not the ends itself as many believe. You’d think by listening to some folks, that unless we’re all at guru status by 2011 we’ll be out of business, begging bread someplace. Let’s not panic, shall we? I can’t tell you for certain what’s coming down the pike next. I will assert that social media and all of its many tools and applications, the “platform” itself are simply a prelude to what’s next. This is precisely why I think it so important that we all be involved. We’re all just passing through this; there is not an end to it, no finish line at all. We’ll all be doing business next year. Watch and see.\n\nThere’s nothing wrong with following a mentor, or looking hard for solutions and best practices in all of this. By all means, find a trustworthy thought leader who gets results and follow along. Adjust how you do things based on good advice and your own results. Just don’t let anybody call you a failure and tell you that you have to do things their way.\n\nThat’s all the Kumbaya I have for today. Give me some of your take on this in the comments if you would.",
};

export const demoComments: DemoComment[] = [
  { by: 'charity', at: '2010-11-08T16:45:00Z', markdown: "Using social media is a process… we all start out somewhat confused! The key is to learn from mistakes (yeah, we've all made 'em) and make adjustments. Very motivational piece James! Keep up the good work, you're doing GREAT!" },
  { by: 'james', at: '2010-11-08T19:02:00Z', replyTo: 0, markdown: "Hello Charity, thanks for throwing a little Kumbaya back at me. Your comment is appreciated." },
  { by: 'kathy', at: '2010-11-09T09:31:00Z', markdown: "I spent a few days mentoring Twitter newbies and learned a LOT from them! The fear of being followed by people they don't know was paralyzing. \"Oh, so and so is following me. I don't know who that is. Do you?\" Kathy you retweeted the link to this article, \"Do you know who this is?\"\n\nIt seems folks are comfortable within Facebook because the norm is connecting with known friends and family. Twitter, on the other hand, is one giant convention center. (Ooo, ooo, new post idea!)" },
  { by: 'james', at: '2010-11-09T12:20:00Z', replyTo: 2, markdown: "Kathy, thank you for commenting. It's awesome that you're out there helping others to get involved and feel more comfortable. Keep it up!" },
  { by: 'torri', at: '2010-11-10T21:07:00Z', markdown: "Nicely put, James! I would call myself a beginning to intermediate social media user (depending on who you ask :)) – not a newbie, but far from being an expert (and that's not a long-term strategy of mine, so I'm good with that!). I sooo needed this encouragement. I get frustrated because I'm not engaged enough online…but that's because I'm busy engaging offline. There's still life out there to live outside this \"box\", right?" },
  { by: 'james', at: '2010-11-11T08:55:00Z', replyTo: 4, markdown: "Torri, thanks for commenting. Online or off, engaged = good. It's a good thing to be mindful of your networked presence and to have a balance. From all I see, you have great balance! I can use you as an example because I know you a little. We met via Twitter, and have talked on the phone about your work. I also met you in person at the North Georgia Tweetup….driving a wrapped vehicle. I feel like I have a well rounded opinion of you and your work because of ALL of this. If I ever need a car wrapped, I know who I'm calling now. It's a relationship, and everything that's gone into it both online and off matter." },
];

export const demoAboutPage = {
  title: 'About',
  slug: 'about',
  markdown: [
    'This blog runs on **Kumbaya**, a self-hosted home for writing and for the conversations that follow it.',
    '',
    'Readers comment under their own names, the author answers, and nobody is a number. Posts are written in Markdown, pages like this one too.',
    '',
    'Everything you see here is demo content: sign in as the owner to edit it, or move it to the trash.',
  ].join('\n'),
};
